namespace Ingestion.Durable;

/// <summary>
/// How the standalone and embedded hosts run orchestrations on the Durable Task Framework. Bound from the
/// <c>Durable</c> configuration section (<c>Durable__StorageConnection</c>, <c>Durable__TaskHubName</c>, …).
/// </summary>
public sealed class DurableHostOptions
{
    public const string SectionName = "Durable";

    /// <summary>
    /// The backend; null picks <see cref="DurableBackend.AzureStorage"/> when <see cref="StorageConnection"/> is set,
    /// otherwise <see cref="DurableBackend.InMemory"/>.
    /// </summary>
    public DurableBackend? Backend { get; set; }

    /// <summary>
    /// The Azure Storage account for <see cref="DurableBackend.AzureStorage"/>: <c>UseDevelopmentStorage=true</c>,
    /// a connection string (Azurite), or an account name or blob service URI
    /// (<c>https://NAME.blob.core.windows.net</c>) used with a token credential — the <c>TokenCredential</c>
    /// registered in the container, else <c>DefaultAzureCredential</c> (the managed identity in Azure; a user-assigned
    /// one through <c>AZURE_CLIENT_ID</c>), so production needs no account key.
    /// </summary>
    public string? StorageConnection { get; set; }

    /// <summary>
    /// The task hub: its queues, tables and lease blobs share this prefix. Processes with the same task hub and
    /// storage share the work. 3-45 letters and digits, starting with a letter.
    /// </summary>
    public string TaskHubName { get; set; } = "ingestion";

    /// <summary>Activities this process runs at the same time.</summary>
    public int MaxConcurrentActivities { get; set; } = 10;

    /// <summary>Orchestration episodes this process runs at the same time.</summary>
    public int MaxConcurrentOrchestrations { get; set; } = 100;

    /// <summary>
    /// Azure Storage control-queue partitions (1-16): the most processes that can run orchestrations of one task
    /// hub in parallel. Fixed when the task hub is created.
    /// </summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>
    /// How long the Azure Storage backend waits at most between polls of an idle queue. Lower means faster pick-up
    /// after a quiet period and more storage transactions.
    /// </summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an Azure Storage queue message taken by this process stays invisible to the others. The worker
    /// renews it while the work runs, so this bounds only how soon work of a killed process is picked up again.
    /// </summary>
    public TimeSpan MessageVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a partition lease of a killed process blocks its orchestrations before another process takes them
    /// over (renewed every third of it while the process lives).
    /// </summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Keep an orchestration's state in memory between its episodes (for
    /// <see cref="ExtendedSessionIdleTimeout"/>) instead of reading its whole history from the History table for every
    /// activity result and replaying it whole: a file batch fans in hundreds of results, so without it each result
    /// re-reads and replays a growing history (on: 2.3× the files/s and half the CPU per file with 2 files in flight,
    /// docs/benchmarks.md). Durability is unchanged: every episode is still written before its messages are sent, and a
    /// killed process's sessions are rebuilt from history by whoever takes over. The Functions app's host.json has it
    /// on too (<c>extendedSessionsEnabled</c>). The in-memory backend keeps sessions the same way (no history to read,
    /// but the same replay per episode).
    /// </summary>
    public bool ExtendedSessions { get; set; } = true;

    /// <summary>How long an idle orchestration stays in memory with <see cref="ExtendedSessions"/>.</summary>
    public TimeSpan ExtendedSessionIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Azure Storage: how long one operation on the partition (lease) table may take before it is abandoned and
    /// retried. The backend's 2 s default is too short for a loaded emulator or a throttled account: operations that
    /// are slow but would succeed were retried until the leases expired and partitions changed hands over and over.
    /// </summary>
    public TimeSpan PartitionTableOperationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// This process in the task hub's partition leases; null gives machine name + process id so two processes on
    /// one machine never share an identity.
    /// </summary>
    public string? WorkerId { get; set; }

    /// <summary>The backend in effect after applying the default rule.</summary>
    public DurableBackend EffectiveBackend =>
        Backend ?? (string.IsNullOrWhiteSpace(StorageConnection) ? DurableBackend.InMemory : DurableBackend.AzureStorage);
}
