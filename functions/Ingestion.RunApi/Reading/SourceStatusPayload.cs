namespace Ingestion.RunApi;

/// <summary>
/// A configured source as the dashboard's sources page shows it: its schedule and next slot, its watermark, its last
/// successful run and its current run. No connection details (URLs, client ids, key references).
/// </summary>
public sealed record SourceStatusPayload(
    string Id,
    string Kind,
    string? Schedule,
    DateTimeOffset? NextDueAt,
    bool Incremental,
    DateTimeOffset? Watermark,
    RunSummary? LastSuccess,
    RunSummary? CurrentRun);

public sealed record SourceListPayload(IReadOnlyList<SourceStatusPayload> Sources);
