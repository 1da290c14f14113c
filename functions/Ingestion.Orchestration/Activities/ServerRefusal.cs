using System.Net;
using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline;

namespace Ingestion.Orchestration;

/// <summary>
/// A server answer that retrying cannot change (4xx other than 408 and 429): the run fails at once with the
/// server's OperationOutcome text instead of retrying.
/// </summary>
internal static class ServerRefusal
{
    public static bool Is(BulkExportException ex) =>
        ex.StatusCode is { } s && (int)s is >= 400 and < 500 && s is not HttpStatusCode.TooManyRequests and not HttpStatusCode.RequestTimeout;

    public static NonRetryableActivityException Fail(BulkExportException ex) =>
        new($"{ex.Message} Server said ({(int)ex.StatusCode!}): {ex.ServerDiagnostics ?? "no OperationOutcome"}", ex);
}
