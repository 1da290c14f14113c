using Ingestion.Storage;

namespace Ingestion.Azure.Queues;

/// <summary>
/// <see cref="IWorkQueue"/> on an Azure Storage queue. Poison handling lives here, on receive: a message whose
/// dequeue count exceeds <see cref="StorageQueueWorkQueueOptions.MaxDequeueCount"/> (every earlier delivery ended
/// without <see cref="CompleteAsync"/>: the worker crashed, timed out or failed) is copied to "{Name}-poison" and
/// deleted from the work queue, so no caller needs to know about it and nothing is lost. The poison queue holds
/// the message as it was, for an operator to inspect and re-queue.
/// </summary>
public sealed class StorageQueueWorkQueue : IWorkQueue
{
    private readonly QueueStorageClient _client;
    private readonly StorageQueueWorkQueueOptions _options;

    public StorageQueueWorkQueue(QueueStorageClient client, string name, StorageQueueWorkQueueOptions? options = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _options = options ?? new StorageQueueWorkQueueOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxDequeueCount, 1);
    }

    public string Name { get; }

    public string PoisonQueueName => Name + "-poison";

    /// <summary>Messages moved to the poison queue by this instance (for metrics).</summary>
    public long PoisonedCount => Interlocked.Read(ref _poisoned);

    private long _poisoned;

    /// <summary>Creates the work queue and its poison queue when absent.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        await _client.CreateIfNotExistsAsync(Name, cancellationToken).ConfigureAwait(false);
        await _client.CreateIfNotExistsAsync(PoisonQueueName, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> EnqueueAsync(string body, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default)
    {
        var receipt = await _client.SendMessageAsync(Name, body, visibilityDelay, _options.MessageTimeToLive, cancellationToken).ConfigureAwait(false);
        return receipt.MessageId;
    }

    public async Task<IReadOnlyList<QueueLease>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        var messages = await _client.ReceiveMessagesAsync(Name, Math.Min(maxMessages, QueueStorageClient.MaxMessagesPerReceive), visibilityTimeout, cancellationToken).ConfigureAwait(false);
        var leases = new List<QueueLease>(messages.Count);
        foreach (var message in messages)
        {
            if (message.DequeueCount > _options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, cancellationToken).ConfigureAwait(false);
                continue;
            }
            leases.Add(new QueueLease(message.MessageId, message.PopReceipt, message.MessageText, message.DequeueCount, message.InsertionTime, message.TimeNextVisible));
        }
        return leases;
    }

    public async Task<QueueLease> ExtendAsync(QueueLease lease, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        try
        {
            var receipt = await _client.UpdateMessageAsync(Name, lease.MessageId, lease.PopReceipt, visibilityTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
            return lease with { PopReceipt = receipt.PopReceipt, VisibleAgainAt = receipt.TimeNextVisible };
        }
        catch (QueueStorageException ex) when (ex.IsLeaseLost)
        {
            throw new QueueLeaseLostException(lease.MessageId, ex);
        }
    }

    public async Task CompleteAsync(QueueLease lease, CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.DeleteMessageAsync(Name, lease.MessageId, lease.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (QueueStorageException ex) when (ex.IsLeaseLost)
        {
            throw new QueueLeaseLostException(lease.MessageId, ex);
        }
    }

    public Task<long> CountAsync(CancellationToken cancellationToken = default) =>
        _client.GetApproximateMessageCountAsync(Name, cancellationToken);

    private async Task MoveToPoisonAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        // Copy first, then delete: a crash in between leaves a duplicate in the poison queue, never a loss.
        await _client.SendMessageAsync(PoisonQueueName, message.MessageText, timeToLive: Timeout.InfiniteTimeSpan, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            await _client.DeleteMessageAsync(Name, message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (QueueStorageException ex) when (ex.IsLeaseLost)
        {
            // Another receiver took it meanwhile; it will be poisoned (again) there.
        }
        Interlocked.Increment(ref _poisoned);
    }
}
