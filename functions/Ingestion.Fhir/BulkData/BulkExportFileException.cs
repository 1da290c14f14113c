using System.Net;
using Ingestion.Fhir.Net;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// A file of the manifest could not be read completely (expired URL, too many failures, count mismatch, size cap).
/// <see cref="FileUrl"/> is redacted: file URLs are often signed, and the signature is a credential.
/// </summary>
public sealed class BulkExportFileException(string fileUrl, string resourceType, long? lineNumber, string reason, HttpStatusCode? statusCode = null, Exception? innerException = null)
    : BulkExportException(
        $"File {UrlRedaction.Redact(fileUrl)} ({resourceType}){(lineNumber is { } n ? $" at line {n}" : "")}: {reason}",
        statusCode, null, innerException)
{
    public string FileUrl { get; } = UrlRedaction.Redact(fileUrl);
    public string ResourceType { get; } = resourceType;
    public long? LineNumber { get; } = lineNumber;
    public string Reason { get; } = reason;
}
