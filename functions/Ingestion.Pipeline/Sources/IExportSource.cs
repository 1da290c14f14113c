using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Ndjson;

namespace Ingestion.Pipeline.Sources;

/// <summary>
/// Where a run's NDJSON comes from: a FHIR server's $export, or an already-landed folder. Each step is one
/// short call so the orchestrator can checkpoint between them (kick-off, one status poll, delete).
/// </summary>
public interface IExportSource
{
    /// <summary>Starts the export with the whole request (level, patients, filters, _since...); the returned job is recorded at once.</summary>
    Task<BulkExportJob> KickOffAsync(BulkExportRequest request, CancellationToken cancellationToken);

    /// <summary>One status request.</summary>
    Task<BulkExportPollResult> PollAsync(BulkExportJob job, CancellationToken cancellationToken);

    /// <summary>Streams one manifest file's lines (bad lines come back with <see cref="NdjsonLine.Error"/> set).</summary>
    IAsyncEnumerable<NdjsonLine> ReadFileAsync(BulkExportFile file, bool requiresAccessToken, CancellationToken cancellationToken);

    /// <summary>Asks the server to delete the export (DELETE on the status URL). No-op for a folder.</summary>
    Task DeleteAsync(BulkExportJob job, CancellationToken cancellationToken);
}
