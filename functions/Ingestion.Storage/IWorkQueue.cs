namespace Ingestion.Storage;

/// <summary>
/// An at-least-once work queue with delayed delivery (the durable timer), visibility timeouts and dequeue
/// counts: the semantics of Azure Storage queues, which the embedded in-process queue reproduces.
/// A message not completed before its visibility timeout is delivered again (to any worker).
/// </summary>
public interface IWorkQueue
{
    /// <summary>The queue's name (e.g. "ingestion-work"); the poison queue is "{Name}-poison".</summary>
    string Name { get; }

    /// <summary>Adds a message, invisible until <paramref name="visibilityDelay"/> has passed (null = now).</summary>
    Task<string> EnqueueAsync(string body, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes up to <paramref name="maxMessages"/> visible messages and hides them for
    /// <paramref name="visibilityTimeout"/>; each receive increments the message's dequeue count.
    /// Returns an empty list when none is visible (does not wait).
    /// </summary>
    Task<IReadOnlyList<QueueLease>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default);

    /// <summary>Extends a lease (long activities); returns the renewed lease (new pop receipt).
    /// Throws <see cref="QueueLeaseLostException"/> when the message was received by someone else or deleted.</summary>
    Task<QueueLease> ExtendAsync(QueueLease lease, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default);

    /// <summary>Deletes a processed message. Throws <see cref="QueueLeaseLostException"/> when the lease is stale.</summary>
    Task CompleteAsync(QueueLease lease, CancellationToken cancellationToken = default);

    /// <summary>Number of messages in the queue (visible or not); approximate for Azure.</summary>
    Task<long> CountAsync(CancellationToken cancellationToken = default);
}

/// <summary>A received message and the receipt needed to extend or complete it.</summary>
public sealed record QueueLease(string MessageId, string PopReceipt, string Body, int DequeueCount, DateTimeOffset InsertedAt, DateTimeOffset VisibleAgainAt);

/// <summary>The lease's pop receipt no longer matches: the message was re-delivered or deleted.</summary>
public sealed class QueueLeaseLostException(string messageId, Exception? inner = null)
    : Exception($"The lease on queue message '{messageId}' was lost (visibility timeout passed or the message was deleted).", inner)
{
    public string MessageId { get; } = messageId;
}
