using Ingestion.Fhir.BulkData;

namespace Ingestion.Orchestration;

// The small messages between the orchestrators and the activities (ids, paths, counts; never patient data).

/// <summary>Names a run and the key fingerprint pinned when it started (every activity checks it).</summary>
public sealed record RunStep(string RunId, string KeyFingerprint);

/// <summary>A catalog change of the run row: the phase, the outcome, the server's progress. Start carries the input.</summary>
public sealed record RunRecordChange(string RunId, string Phase)
{
    public ExportRunInput? Start { get; init; }
    public DateTimeOffset? At { get; init; }
    public RunOutcome? Outcome { get; init; }
    public string? Progress { get; init; }
    public string? FailureReason { get; init; }
    public string? ManifestPath { get; init; }
    public string? ReportPath { get; init; }
}

public sealed record KickOffResult(BulkExportJob Job, DateTimeOffset? EffectiveSince);

public sealed record PollRequest(string RunId, string KeyFingerprint, BulkExportJob Job);

/// <summary>One status poll: not complete (wait <see cref="RetryAfter"/>, then poll with <see cref="Job"/>) or complete with <see cref="FileCount"/> files recorded in the catalog.</summary>
public sealed record PollResult(bool Complete, BulkExportJob Job, TimeSpan RetryAfter)
{
    public string? Progress { get; init; }
    public int FileCount { get; init; }
    public DateTimeOffset? TransactionTime { get; init; }
    /// <summary>File indexes in the order to process them (<see cref="ManifestFiles.LargestFirst"/>); null: index order.</summary>
    public IReadOnlyList<int>? Order { get; init; }
    /// <summary>How many consecutive files of that order each work unit (one file activity) takes (<see cref="ManifestFiles.SmallFileGroups"/>); null: one file each.</summary>
    public IReadOnlyList<int>? Units { get; init; }
}

public sealed record RetryFilesRequest(string RunId, string KeyFingerprint, string RetryOf, IReadOnlyList<int> FailedFiles);

public sealed record RetryFilesResult(int FileCount, DateTimeOffset? TransactionTime, string? StatusUrl);

/// <summary>One work unit of the files phase: the file <see cref="Index"/>, or a group of small files processed one after
/// another by one activity (<see cref="Group"/>, starting with <see cref="Index"/>), so a tiny file does not cost an
/// orchestrator round trip of its own.</summary>
public sealed record FileRequest(string RunId, string KeyFingerprint, int Index)
{
    /// <summary>The unit's files in processing order when it holds more than one; null: <see cref="Index"/> alone.</summary>
    public IReadOnlyList<int>? Group { get; init; }

    /// <summary>The file indexes to process, in order.</summary>
    public IReadOnlyList<int> Files() => Group ?? [Index];

    /// <summary>The request for a unit of one or more files.</summary>
    public static FileRequest For(string runId, string keyFingerprint, IReadOnlyList<int> files) =>
        new(runId, keyFingerprint, files[0]) { Group = files.Count > 1 ? files : null };
}

/// <summary>What one work unit's files produced (counts only, summed over a group; <see cref="Index"/>: its first file).</summary>
public sealed record FileResultSummary(int Index, long ResourcesRead, long ResourcesMapped, long ResourcesQuarantined);

public sealed record FileFailure(string RunId, int Index, string Reason);

public sealed record PublishResult(string ManifestPath, string ReportPath);

public sealed record ExportDeletion(string RunId, string StatusUrl);

public sealed record RunAnnouncement(string RunId, string SourceId, RunOutcome Outcome)
{
    public string? ManifestPath { get; init; }
    public string? Reason { get; init; }
}
