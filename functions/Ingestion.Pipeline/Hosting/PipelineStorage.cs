using Ingestion.Storage;

namespace Ingestion.Pipeline.Hosting;

/// <summary>
/// Storage the host supplies instead of the embedded defaults: in Azure, Cosmos DB state, the Storage queue,
/// Blob lake and quarantine containers, and Service Bus events (null = log the events).
/// </summary>
public sealed record PipelineStorage(IStateStore StateStore, IWorkQueue WorkQueue, ILake Lake, ILake Quarantine, IRunEventPublisher? Events);
