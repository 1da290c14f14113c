namespace Ingestion.Pipeline;

/// <summary>
/// Orchestration settings, bound from the "Pipeline" configuration section
/// (e.g. environment variable <c>Pipeline__MaxParallelActivities</c>).
/// </summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Pipeline";

    /// <summary>Workers per host: how many queue messages (file activities) run at once.</summary>
    public int MaxParallelActivities { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Attempts per file activity before the file is marked Failed.</summary>
    public int MaxActivityAttempts { get; set; } = 4;

    /// <summary>First retry delay; doubles per attempt (capped by <see cref="MaxRetryDelay"/>).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a received message stays hidden; the worker extends it every third of this while it works.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an idle worker waits before asking the queue again.</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A Parquet part rolls over to the next part after this many rows.</summary>
    public long MaxRowsPerPart { get; set; } = 1_000_000;

    /// <summary>Parquet row-group buffer per table writer (memory per activity is about tables × this).</summary>
    public long RowGroupSizeBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Strict: profile-conformance errors quarantine the resource too (Report: only unusable resources do).</summary>
    public bool StrictValidation { get; set; }

    /// <summary>Landed (ingest) files larger than this are split into line-aligned chunks processed in parallel; 0 = never.</summary>
    public long LandedFileChunkBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>On start, re-enqueue the work of every unfinished run (needed with an in-process queue, harmless otherwise).</summary>
    public bool RecoverOnStart { get; set; } = true;

    /// <summary>Polls of the export status before the run fails (a run never hangs).</summary>
    public int MaxPollAttempts { get; set; } = 10_000;

    /// <summary>Unmapped codes listed in the run report (most frequent first).</summary>
    public int TopUnmappedCodes { get; set; } = 50;

    internal TimeSpan RetryDelay(int attempt)
    {
        var ticks = RetryBaseDelay.Ticks * Math.Pow(2, Math.Max(0, attempt - 1));
        return ticks >= MaxRetryDelay.Ticks ? MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }
}
