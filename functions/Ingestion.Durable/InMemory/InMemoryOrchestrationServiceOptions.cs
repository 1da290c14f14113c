namespace Ingestion.Durable.InMemory;

/// <summary>Concurrency of the in-memory backend's dispatchers.</summary>
public sealed class InMemoryOrchestrationServiceOptions
{
    public int MaxConcurrentActivities { get; init; } = 10;

    public int MaxConcurrentOrchestrations { get; init; } = 100;
}
