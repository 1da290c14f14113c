namespace Ingestion.Pipeline.State;

/// <summary>Which manifest list a file came from.</summary>
public enum ManifestFileKind { Output, Error, Deleted }

/// <summary>One manifest file of a run as the file activity and the publisher see it (built from the run catalog).</summary>
public sealed record ActivityState
{
    public required string InstanceId { get; init; }
    public required int Index { get; init; }
    public required ManifestFileKind FileKind { get; init; }
    public required string ResourceType { get; init; }
    public required string Url { get; init; }
    public long? ExpectedCount { get; init; }
    public int Attempt { get; init; }
    public FileResult? Result { get; init; }
}
