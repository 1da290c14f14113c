using System.Net;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// A Bulk Data export failed. <see cref="StatusCode"/> is the HTTP status when the server answered, and
/// <see cref="ServerDiagnostics"/> the text of the server's OperationOutcome, if it sent one (server-authored,
/// not patient data).
/// </summary>
public class BulkExportException : Exception
{
    public BulkExportException(string message, HttpStatusCode? statusCode = null, string? serverDiagnostics = null, Exception? innerException = null)
        : base(Compose(message, statusCode, serverDiagnostics), innerException)
    {
        StatusCode = statusCode;
        ServerDiagnostics = serverDiagnostics;
    }

    public HttpStatusCode? StatusCode { get; }

    public string? ServerDiagnostics { get; }

    private static string Compose(string message, HttpStatusCode? statusCode, string? diagnostics)
    {
        var text = message;
        if (statusCode is { } status) text += $" (HTTP {(int)status} {status})";
        if (!string.IsNullOrWhiteSpace(diagnostics)) text += $" Server says: {diagnostics}";
        return text;
    }
}

/// <summary>The server refused the kick-off request (a 4xx, or a 5xx after the retries).</summary>
public sealed class BulkExportKickOffException(string message, HttpStatusCode? statusCode = null, string? serverDiagnostics = null, Exception? innerException = null)
    : BulkExportException(message, statusCode, serverDiagnostics, innerException);

/// <summary>A status, manifest or redirect URL is not one this client may follow (not https, foreign host, metadata address).</summary>
public sealed class BulkExportUnsafeUrlException(string url, string reason)
    : BulkExportException($"Refusing to follow {url}: {reason}. If this host is really the FHIR server's file store, add it to Fhir:AllowedFileHosts.")
{
    public string Url { get; } = url;
    public string Reason { get; } = reason;
}

/// <summary>An export did not complete within <see cref="BulkExportClientOptions.OverallTimeout"/>.</summary>
public sealed class BulkExportTimeoutException(string message) : BulkExportException(message);

/// <summary>A file of the manifest could not be read completely (expired URL, too many failures, count mismatch).</summary>
public sealed class BulkExportFileException(string fileUrl, string resourceType, long? lineNumber, string reason, HttpStatusCode? statusCode = null, Exception? innerException = null)
    : BulkExportException(
        $"File {fileUrl} ({resourceType}){(lineNumber is { } n ? $" at line {n}" : "")}: {reason}",
        statusCode, null, innerException)
{
    public string FileUrl { get; } = fileUrl;
    public string ResourceType { get; } = resourceType;
    public long? LineNumber { get; } = lineNumber;
    public string Reason { get; } = reason;
}
