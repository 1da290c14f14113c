namespace Ingestion.Storage;

/// <summary>Announces run lifecycle events to downstream consumers (Service Bus in Azure, a log embedded).</summary>
public interface IRunEventPublisher
{
    Task PublishAsync(RunEvent runEvent, CancellationToken cancellationToken = default);
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
