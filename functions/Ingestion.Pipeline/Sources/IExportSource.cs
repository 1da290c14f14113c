using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Ndjson;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Sources;

/// <summary>
/// Where a run's NDJSON comes from: a FHIR server's $export, or an already-landed folder. Each step is one
/// short call so the orchestrator can checkpoint between them (kick-off, one status poll, delete).
/// </summary>
public interface IExportSource
{
    /// <summary>Starts the export; the returned job is checkpointed at once.</summary>
    Task<BulkExportJob> KickOffAsync(RunInput input, DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>One status request.</summary>
    Task<BulkExportPollResult> PollAsync(BulkExportJob job, CancellationToken cancellationToken);

    /// <summary>Streams one manifest file's lines (bad lines come back with <see cref="NdjsonLine.Error"/> set).</summary>
    IAsyncEnumerable<NdjsonLine> ReadFileAsync(BulkExportFile file, bool requiresAccessToken, CancellationToken cancellationToken);

    /// <summary>Asks the server to delete the export (DELETE on the status URL). No-op for a folder.</summary>
    Task DeleteAsync(BulkExportJob job, CancellationToken cancellationToken);
}

/// <summary>Builds the source of a run from its (persisted) input; credentials come from configuration.</summary>
public interface IExportSourceFactory
{
    IExportSource Create(RunInput input);
}
