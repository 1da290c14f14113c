namespace Ingestion.Storage.Catalog;

public enum RunFileStatus { Pending, Running, Completed, Failed }

/// <summary>
/// One manifest file of a run. <see cref="ResultJson"/> holds the file activity's result (parts, counts by code)
/// for the reduce and the report; no patient data.
/// </summary>
public sealed record RunFileRecord
{
    public required string RunId { get; init; }
    public required int Index { get; init; }
    /// <summary>"output", "error" or "deleted".</summary>
    public required string Kind { get; init; }
    public required string ResourceType { get; init; }
    public required string Url { get; init; }
    public long? ExpectedCount { get; init; }
    public RunFileStatus Status { get; init; } = RunFileStatus.Pending;
    public int Attempts { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public long ResourcesRead { get; init; }
    public long ResourcesMapped { get; init; }
    public long ResourcesQuarantined { get; init; }
    public long ResourcesUnmapped { get; init; }
    public string? FailureReason { get; init; }
    public string? ResultJson { get; init; }
}
