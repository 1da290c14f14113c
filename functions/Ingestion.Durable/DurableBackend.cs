namespace Ingestion.Durable;

/// <summary>Where the Durable Task Framework keeps orchestration history and queues.</summary>
public enum DurableBackend
{
    /// <summary>
    /// In this process only (the <c>demo</c>, and runs with no storage configured): not crash-durable. A killed
    /// process loses its runs; the data path is idempotent, so running again is safe.
    /// </summary>
    InMemory,

    /// <summary>
    /// Azure Storage queues, tables and blobs (an Azure Storage account or Azurite): a killed process restarted
    /// continues every run where it stopped; several processes may share one task hub.
    /// </summary>
    AzureStorage,
}
