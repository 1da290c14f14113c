using System.Net;

namespace Ingestion.Fhir.BulkData;

/// <summary>The server refused the kick-off request (a 4xx, or a 5xx after the retries).</summary>
public sealed class BulkExportKickOffException(string message, HttpStatusCode? statusCode = null, string? serverDiagnostics = null, Exception? innerException = null)
    : BulkExportException(message, statusCode, serverDiagnostics, innerException);
