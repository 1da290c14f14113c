using System.Net;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// One download attempt was answered with a transient status (429, 5xx) or a briefly missing file (404/410); the
/// download's retry policy decides whether to try again. Never escapes the client: the last one becomes a
/// <see cref="BulkExportFileException"/>.
/// </summary>
internal sealed class BulkExportTransientResponseException(HttpStatusCode statusCode, TimeSpan? retryAfter)
    : Exception($"HTTP {(int)statusCode} {statusCode}")
{
    public HttpStatusCode StatusCode { get; } = statusCode;
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public bool IsMissingFile => StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone;
}
