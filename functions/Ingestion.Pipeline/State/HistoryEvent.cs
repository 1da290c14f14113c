namespace Ingestion.Pipeline.State;

/// <summary>
/// One entry of a run's history (kind "history"): a transition or an activity scheduled / started / completed /
/// failed, with attempt and duration. Codes and counts only.
/// </summary>
public sealed record HistoryEvent
{
    public required DateTimeOffset Timestamp { get; init; }
    public required string EventType { get; init; }
    public int? ActivityIndex { get; init; }
    public int? Attempt { get; init; }
    public double? DurationMs { get; init; }
    public string? Detail { get; init; }
}
