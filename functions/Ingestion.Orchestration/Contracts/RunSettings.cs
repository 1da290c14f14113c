namespace Ingestion.Orchestration;

/// <summary>
/// The orchestration settings a run uses, copied from <see cref="Ingestion.Pipeline.PipelineOptions"/> when it starts
/// (an orchestrator must not read configuration: a replay after a settings change must take the same decisions).
/// </summary>
public sealed record RunSettings
{
    /// <summary>File activities (a file, or a group of small files) in flight at once (so the EHR is not flooded).</summary>
    public int MaxParallelFiles { get; init; } = 8;
    /// <summary>Work units scheduled beyond <see cref="MaxParallelFiles"/>: they wait in the worker for a slot of the run
    /// (<see cref="FileActivitySlots"/>), so a unit that ends is followed at once, not after an orchestrator round trip.
    /// 0 (runs started by older builds): none.</summary>
    public int QueuedFiles { get; init; }
    /// <summary>Files per sub-orchestration, so history stays small for exports of 20,000+ files.</summary>
    public int FilesPerBatch { get; init; } = 500;
    /// <summary>Files smaller than this (when the source knows their size) are grouped up to this many bytes per file
    /// activity; 0: one file per activity.</summary>
    public long FileGroupBytes { get; init; }
    /// <summary>At most this many files per group; 0 (runs started by older builds): no limit.</summary>
    public int FileGroupFiles { get; init; }
    /// <summary>Attempts per file (first + retries) for transient failures.</summary>
    public int MaxFileAttempts { get; init; } = 4;
    /// <summary>Attempts of kick-off, poll and the run-level steps for transient failures.</summary>
    public int MaxStepAttempts { get; init; } = 5;
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Status polls wait at least this long, whatever Retry-After says.</summary>
    public TimeSpan MinPollDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>And at most this long.</summary>
    public TimeSpan MaxPollDelay { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>After this long without a manifest the run fails and the server export is deleted.</summary>
    public TimeSpan MaxExportWait { get; init; } = TimeSpan.FromHours(12);
}
