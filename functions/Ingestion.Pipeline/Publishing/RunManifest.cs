using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The commit manifest <c>_runs/&lt;runId&gt;/manifest.json</c>, written last and only once: a run is published
/// exactly when this object exists. Readers take the part list from here (docs/lake-layout.md).
/// </summary>
public sealed record RunManifest
{
    public required string RunId { get; init; }
    public required DateTimeOffset CommittedAt { get; init; }
    public required string SourceId { get; init; }
    public required SourceKind SourceKind { get; init; }
    public DateTimeOffset? TransactionTime { get; init; }
    public DateTimeOffset? Since { get; init; }
    public required string CdmVersion { get; init; }
    public required string VocabularyVersion { get; init; }
    public required string DeidentificationKeyFingerprint { get; init; }
    public bool EphemeralKey { get; init; }
    public required IReadOnlyDictionary<string, ManifestTable> Tables { get; init; }
    public required string Report { get; init; }
}

public sealed record ManifestTable(long Rows, IReadOnlyList<ManifestPart> Files);

public sealed record ManifestPart(string Path, long Rows, long Bytes);
