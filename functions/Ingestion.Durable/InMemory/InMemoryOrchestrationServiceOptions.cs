namespace Ingestion.Durable.InMemory;

/// <summary>Concurrency of the in-memory backend's dispatchers.</summary>
public sealed class InMemoryOrchestrationServiceOptions
{
    public int MaxConcurrentActivities { get; init; } = 10;

    public int MaxConcurrentOrchestrations { get; init; } = 100;

    /// <summary>Keep an orchestration in memory between its episodes (<see cref="InMemorySession"/>) instead of replaying its history for each.</summary>
    public bool ExtendedSessions { get; init; } = true;

    /// <summary>How long a session waits for the instance's next message before it ends.</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
