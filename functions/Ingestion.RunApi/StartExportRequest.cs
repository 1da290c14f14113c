namespace Ingestion.RunApi;

/// <summary>
/// <c>POST /api/exports</c>: start a run for a configured source. Everything else (server URL, credentials, level)
/// comes from the source's configuration, never from the caller.
/// </summary>
public sealed record StartExportRequest
{
    /// <summary>The configured source id.</summary>
    public required string Source { get; init; }

    /// <summary>_since (a FHIR instant, not in the future); null = the source's watermark when it is incremental.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>_type; empty = the source's.</summary>
    public IReadOnlyList<string> Types { get; init; } = [];

    /// <summary>_typeFilter; empty = the source's.</summary>
    public IReadOnlyList<string> TypeFilters { get; init; } = [];

    /// <summary>A Group id: a group-level export of this group instead of the source's level.</summary>
    public string? Group { get; init; }
}
