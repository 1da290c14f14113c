namespace Ingestion.Storage;

/// <summary>Announces run lifecycle events to downstream consumers (Service Bus in Azure, a log embedded).</summary>
public interface IRunEventPublisher
{
    /// <summary>
    /// Announces one event. Never throws for a failure to announce (only for cancellation): a published run stays
    /// published; the result says what to record on the run instead.
    /// </summary>
    Task<RunEventDelivery> PublishAsync(RunEvent runEvent, CancellationToken cancellationToken = default);
}

/// <summary>Whether a run event was announced; when not, an error code and a reason without PHI to show on the run.</summary>
public sealed record RunEventDelivery(bool Delivered, string? ErrorCode = null, string? Reason = null)
{
    public static RunEventDelivery Sent { get; } = new(true);

    public static RunEventDelivery NotSent(string errorCode, string reason) => new(false, errorCode, reason);
}

/// <summary>
/// A run lifecycle event. <see cref="EventId"/> is deterministic (run id + type) so a re-sent event is
/// recognised by duplicate detection. Properties hold codes and counts only, never patient data.
/// </summary>
public sealed record RunEvent(string EventId, RunEventType Type, string RunId, string Source, DateTimeOffset OccurredAt)
{
    /// <summary>For RunCompleted: where the commit manifest is.</summary>
    public string? ManifestLocation { get; init; }

    /// <summary>For RunFailed: the reason (no PHI).</summary>
    public string? Reason { get; init; }

    /// <summary>Counts (resources read, rows per table, quarantined...).</summary>
    public IReadOnlyDictionary<string, long> Counts { get; init; } = new Dictionary<string, long>();
}

public enum RunEventType { RunStarted, RunCompleted, RunFailed }
