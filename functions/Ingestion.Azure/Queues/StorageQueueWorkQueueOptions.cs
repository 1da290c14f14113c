namespace Ingestion.Azure.Queues;

/// <summary>Options of <see cref="StorageQueueWorkQueue"/>.</summary>
public sealed class StorageQueueWorkQueueOptions
{
    /// <summary>
    /// A message received more often than this is moved to "{name}-poison" instead of being handed out again
    /// (the Functions queue trigger's maxDequeueCount, default 5).
    /// </summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Message time-to-live; the default never expires, so no work item is silently lost after 7 days.</summary>
    public TimeSpan MessageTimeToLive { get; set; } = Timeout.InfiniteTimeSpan;
}
