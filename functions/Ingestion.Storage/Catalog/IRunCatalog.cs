namespace Ingestion.Storage.Catalog;

/// <summary>
/// What operators and the dashboard read about runs: the run rows with denormalized counters, one row per file,
/// per-source watermarks and the audit trail. Durable history is not a reporting store; this is.
/// Every write is idempotent (activities run at least once).
/// </summary>
public interface IRunCatalog
{
    /// <summary>Creates the run row; returns false (and changes nothing) when it exists already.</summary>
    Task<bool> CreateRunAsync(RunRecord run, CancellationToken cancellationToken);

    Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Applies <paramref name="update"/> to the run row (re-read and retried on a concurrent write).</summary>
    Task<RunRecord> UpdateRunAsync(string runId, Func<RunRecord, RunRecord> update, CancellationToken cancellationToken);

    /// <summary>Adds to the run's counters with the store's atomic increment (never a scan of the files).</summary>
    Task AddToCountersAsync(string runId, RunCounters delta, CancellationToken cancellationToken);

    /// <summary>A page of runs, newest first. With a source filter this is one partition query.</summary>
    Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken);

    /// <summary>Creates or replaces file rows (a re-delivered manifest writes the same rows).</summary>
    Task PutFilesAsync(string runId, IReadOnlyList<RunFileRecord> files, CancellationToken cancellationToken);

    Task<RunFileRecord?> GetFileAsync(string runId, int index, CancellationToken cancellationToken);

    Task<RunFileRecord> UpdateFileAsync(string runId, int index, Func<RunFileRecord, RunFileRecord> update, CancellationToken cancellationToken);

    /// <summary>Every file row of a run, by index.</summary>
    IAsyncEnumerable<RunFileRecord> ListFilesAsync(string runId, CancellationToken cancellationToken);

    Task<SourceWatermarkRecord?> GetWatermarkAsync(string sourceId, CancellationToken cancellationToken);

    /// <summary>Moves the watermark forward only (an older or equal time is a no-op); returns the watermark now stored.</summary>
    Task<SourceWatermarkRecord> AdvanceWatermarkAsync(SourceWatermarkRecord watermark, CancellationToken cancellationToken);

    /// <summary>Appends to the audit trail; an entry with the same id is written once.</summary>
    Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>The audit entries of a run (or of a source, for skipped ticks), oldest first.</summary>
    IAsyncEnumerable<AuditEntry> ListAuditAsync(string scope, CancellationToken cancellationToken);

    /// <summary>Removes the run row, its file rows and its audit entries, and its entry in the source's index.</summary>
    Task DeleteRunAsync(string runId, CancellationToken cancellationToken);
}
