namespace Ingestion.Pipeline.State;

public enum SourceKind { FhirServer, Folder }

/// <summary>The source a run read, as the lake's manifest and cdm_source record it. No secrets.</summary>
public sealed record RunInput
{
    /// <summary>Identifies the source for watermarks and cdm_source.</summary>
    public required string SourceId { get; init; }
    public required SourceKind Kind { get; init; }
}
