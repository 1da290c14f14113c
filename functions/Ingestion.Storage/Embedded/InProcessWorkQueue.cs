namespace Ingestion.Storage.Embedded;

/// <summary>
/// An in-memory work queue with Azure Storage queue semantics (delayed delivery, visibility timeout, pop
/// receipts, dequeue counts) for one process. Messages do not survive the process: use
/// <see cref="SqliteWorkQueue"/> when a restarted host must find them again.
/// </summary>
public sealed class InProcessWorkQueue : IWorkQueue
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _messages = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private long _sequence;

    public InProcessWorkQueue(string name, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Name { get; }

    public Task<string> EnqueueAsync(string body, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var id = Guid.NewGuid().ToString("N");
        lock (_gate)
        {
            _messages[id] = new Entry(id, body, now, ++_sequence) { VisibleAt = now + (visibilityDelay ?? TimeSpan.Zero) };
        }
        return Task.FromResult(id);
    }

    public Task<IReadOnlyList<QueueLease>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var leases = new List<QueueLease>();
        lock (_gate)
        {
            foreach (var entry in _messages.Values.Where(m => m.VisibleAt <= now).OrderBy(m => m.VisibleAt).ThenBy(m => m.Sequence).Take(maxMessages).ToList())
            {
                entry.DequeueCount++;
                entry.PopReceipt = Guid.NewGuid().ToString("N");
                entry.VisibleAt = now + visibilityTimeout;
                leases.Add(entry.ToLease());
            }
        }
        return Task.FromResult<IReadOnlyList<QueueLease>>(leases);
    }

    public Task<QueueLease> ExtendAsync(QueueLease lease, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var entry = Held(lease);
            entry.PopReceipt = Guid.NewGuid().ToString("N");
            entry.VisibleAt = _time.GetUtcNow() + visibilityTimeout;
            return Task.FromResult(entry.ToLease());
        }
    }

    public Task CompleteAsync(QueueLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _messages.Remove(Held(lease).Id);
        }
        return Task.CompletedTask;
    }

    public Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult((long)_messages.Count);
    }

    // Like Azure: a pop receipt stays valid until the message is received again or deleted.
    private Entry Held(QueueLease lease) =>
        _messages.TryGetValue(lease.MessageId, out var entry) && entry.PopReceipt == lease.PopReceipt
            ? entry
            : throw new QueueLeaseLostException(lease.MessageId);

    private sealed class Entry(string id, string body, DateTimeOffset insertedAt, long sequence)
    {
        public string Id { get; } = id;
        public string Body { get; } = body;
        public DateTimeOffset InsertedAt { get; } = insertedAt;
        public long Sequence { get; } = sequence;
        public DateTimeOffset VisibleAt { get; set; }
        public int DequeueCount { get; set; }
        public string PopReceipt { get; set; } = "";

        public QueueLease ToLease() => new(Id, PopReceipt, Body, DequeueCount, InsertedAt, VisibleAt);
    }
}
