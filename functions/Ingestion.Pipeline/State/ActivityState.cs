namespace Ingestion.Pipeline.State;

public enum ActivityStatus { Pending, Running, Completed, Failed }

/// <summary>Which manifest list a file came from.</summary>
public enum ManifestFileKind { Output, Error, Deleted }

/// <summary>One file activity document: partition = instance id, id = "activity:NNNNNN".</summary>
public sealed record ActivityState
{
    public required string InstanceId { get; init; }
    public required int Index { get; init; }
    public required ManifestFileKind FileKind { get; init; }
    public required string ResourceType { get; init; }
    public required string Url { get; init; }
    public long? ExpectedCount { get; init; }
    public ActivityStatus Status { get; init; } = ActivityStatus.Pending;
    public int Attempt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public string? Error { get; init; }
    public FileResult? Result { get; init; }

    public bool IsTerminal => Status is ActivityStatus.Completed or ActivityStatus.Failed;

    public static string DocumentId(int index) => $"activity:{index:D6}";
}
