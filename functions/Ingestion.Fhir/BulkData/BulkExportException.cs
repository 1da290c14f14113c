using System.Net;
using Ingestion.Fhir.Net;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// A Bulk Data export failed. <see cref="StatusCode"/> is the HTTP status when the server answered, and
/// <see cref="ServerDiagnostics"/> the text of the server's OperationOutcome, if it sent one (server-authored,
/// not patient data). URLs in the message have their query strings removed (signed URLs carry credentials).
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
        // Safety net: whatever a message quotes (a server diagnostic, a URL), no query string leaves.
        return UrlRedaction.RedactIn(text);
    }
}
