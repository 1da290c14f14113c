namespace Ingestion.Storage.Catalog;

public enum RunRecordStatus { Pending, Running, Completed, Failed, Canceled, Terminated }

/// <summary>One run as operators see it. Codes, ids and counts only, never patient data.</summary>
public sealed record RunRecord
{
    public required string RunId { get; init; }
    public required string SourceId { get; init; }
    public RunRecordStatus Status { get; init; } = RunRecordStatus.Pending;
    /// <summary>Where the run is: KickOff, Polling, Processing, Reducing, Publishing, Completed...</summary>
    public string Phase { get; init; } = "KickOff";
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public required string KeyFingerprint { get; init; }
    /// <summary>"schedule", "api", "cli" or "retry", and who (user or timer).</summary>
    public required string Trigger { get; init; }
    public string? TriggeredBy { get; init; }
    public string? RetryOf { get; init; }
    /// <summary>The export's status URL once kicked off (so DELETE and retry can find it).</summary>
    public string? ExportStatusUrl { get; init; }
    public DateTimeOffset? EffectiveSince { get; init; }
    public DateTimeOffset? TransactionTime { get; init; }
    public bool RequiresAccessToken { get; init; }
    public int FilesTotal { get; init; }
    /// <summary>The server's last X-Progress text.</summary>
    public string? Progress { get; init; }
    public RunCounters Counters { get; init; } = new();
    public string? FailureReason { get; init; }
    public string? ManifestPath { get; init; }
    public string? ReportPath { get; init; }
    /// <summary>Announcements that could not be sent (event type and error code, no PHI): shown on the run; the run stays published.</summary>
    public IReadOnlyList<string> EventsNotSent { get; init; } = [];
    /// <summary>A landed export's files that were not read, with the reason (the run report lists them).</summary>
    public IReadOnlyList<CatalogSkippedFile> SkippedFiles { get; init; } = [];
    /// <summary>Parts of the run-level tables written by the reduce step (lake paths, rows, bytes).</summary>
    public IReadOnlyList<CatalogPart> ReducedParts { get; init; } = [];
    /// <summary>The run's settings and source, as JSON the orchestration layer owns (no secrets).</summary>
    public string? InputJson { get; init; }

    public bool IsTerminal => Status is RunRecordStatus.Completed or RunRecordStatus.Failed or RunRecordStatus.Canceled or RunRecordStatus.Terminated;
}

/// <summary>Denormalized counters, updated by increment as each file completes.</summary>
public sealed record RunCounters
{
    public long FilesDone { get; init; }
    public long FilesFailed { get; init; }
    public long ResourcesRead { get; init; }
    public long ResourcesMapped { get; init; }
    public long ResourcesQuarantined { get; init; }
    public long ResourcesUnmapped { get; init; }
    public long ServerErrors { get; init; }
}

/// <summary>One Parquet part in the lake.</summary>
public sealed record CatalogPart(string Table, string Path, long Rows, long Bytes);

public sealed record CatalogSkippedFile(string Name, string Reason);
