namespace Ingestion.Pipeline.State;

public enum SourceKind { FhirServer, Folder }

/// <summary>
/// What a run exports: enough to rebuild its source after a restart. Holds no secrets (credentials come from
/// configuration) and no patient data.
/// </summary>
public sealed record RunInput
{
    /// <summary>Identifies the source for watermarks (defaults to the base URL or folder path).</summary>
    public required string SourceId { get; init; }
    public required SourceKind Kind { get; init; }
    public string? FhirBaseUrl { get; init; }
    public string? FolderPath { get; init; }
    public IReadOnlyList<string> Types { get; init; } = [];
    public string? GroupId { get; init; }
    /// <summary>Explicit _since; when null and <see cref="Incremental"/>, the source's watermark is used.</summary>
    public DateTimeOffset? Since { get; init; }
    public bool Incremental { get; init; }
}
