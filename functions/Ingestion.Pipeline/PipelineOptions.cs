namespace Ingestion.Pipeline;

/// <summary>
/// Orchestration settings, bound from the "Pipeline" configuration section
/// (e.g. environment variable <c>Pipeline__MaxParallelActivities</c>).
/// </summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Pipeline";

    /// <summary>File activities (a file, or a group of small files) in flight at once per run (so the EHR is not flooded).</summary>
    public int MaxParallelFiles { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>File activities scheduled beyond <see cref="MaxParallelFiles"/> that wait in the worker for a slot, so a
    /// slot that frees starts the next one without an orchestrator round trip; 0 = none.</summary>
    public int QueuedFiles { get; set; } = 1;

    /// <summary>Files per sub-orchestration (keeps history small for exports of 20,000+ files).</summary>
    public int FilesPerBatch { get; set; } = 500;

    /// <summary>Files smaller than this (sizes known: landed folders and containers) are grouped, in processing order, up
    /// to this many bytes per file activity, so the many small files of an export do not each cost an orchestrator
    /// round trip; 0 = one file per activity.</summary>
    public long FileGroupBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>At most this many files per group, so the run's last groups (its tiniest files, each with its fixed
    /// per-file work) stay short and end together; 0 = no limit.</summary>
    public int FileGroupFiles { get; set; } = 32;

    /// <summary>Attempts per file activity (transient failures) before the file is marked Failed.</summary>
    public int MaxActivityAttempts { get; set; } = 4;

    /// <summary>Attempts of kick-off, status poll and the run-level steps (transient failures) before the run fails.</summary>
    public int MaxStepAttempts { get; set; } = 5;

    /// <summary>First retry delay; doubles per attempt (capped by <see cref="MaxRetryDelay"/>).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Status polls wait at least this long, whatever the server's Retry-After says.</summary>
    public TimeSpan MinPollDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>And at most this long.</summary>
    public TimeSpan MaxPollDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A run whose export has no manifest after this long fails clearly and the server export is deleted.</summary>
    public TimeSpan MaxExportWait { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A Parquet part rolls over to the next part after this many rows.</summary>
    public long MaxRowsPerPart { get; set; } = 1_000_000;

    /// <summary>Parquet row-group buffer per table writer (memory per activity is about tables × this).</summary>
    public long RowGroupSizeBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Strict: profile-conformance errors quarantine the resource too (Report: only unusable resources do).</summary>
    public bool StrictValidation { get; set; }

    /// <summary>Landed (ingest) files larger than this are split into line-aligned chunks processed in parallel; 0 = never.</summary>
    public long LandedFileChunkBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Records the fan-in's spilled sorts hold in memory before writing a sorted run to disk (the integrity
    /// pass's row keys and referenced rows: 16–40 bytes a record; the era events' sorts hold at most 65,536 of 48 bytes),
    /// so the fan-in's memory does not grow with the run.</summary>
    public int FanInSortRunLength { get; set; } = 1 << 18;

    /// <summary>Folder for the fan-in's sorted runs (deleted when the sort ends); null for the system temporary folder.</summary>
    public string? FanInSortDirectory { get; set; }

    /// <summary>Unmapped codes listed in the run report (most frequent first).</summary>
    public int TopUnmappedCodes { get; set; } = 50;

    /// <summary>The organisation named as <c>cdm_source.cdm_holder</c> in every published run.</summary>
    public string CdmHolder { get; set; } = "unknown";
}
