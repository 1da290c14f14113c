namespace Ingestion.Durable.InMemory;

/// <summary>
/// The FIFO a DTFx dispatcher's fetch waits on in <see cref="InMemoryOrchestrationService"/>. A waiting fetch ends
/// with no item the moment its token is cancelled, on the cancelling thread: DTFx's graceful stop cancels the fetch
/// token and checks right away whether a fetch is still active, and when one is it sleeps a whole second before it
/// looks again. A fetch that ended through the thread pool (as a channel read does) always lost that race, so every
/// process hosting the in-memory backend spent a second idle after its run. Items, by contrast, are handed to a
/// waiting fetch through the thread pool: whoever enqueues holds the service's lock and must not run the dispatcher.
/// </summary>
internal sealed class DispatchQueue<T> where T : class
{
    private readonly object _gate = new();
    private readonly Queue<T> _items = new();
    private readonly LinkedList<Waiter> _waiters = new();

    public void Enqueue(T item)
    {
        Waiter waiter;
        lock (_gate)
        {
            if (_waiters.First is not { } first)
            {
                _items.Enqueue(item);
                return;
            }
            waiter = first.Value;
            _waiters.RemoveFirst(); // taken off under the lock: its cancellation can no longer claim it
        }
        waiter.Registration.Unregister();
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Waiter.Completion.TrySetResult(state.Item), (Waiter: waiter, Item: item), preferLocal: false);
    }

    /// <summary>The next item, or null when <paramref name="cancellationToken"/> is cancelled first.</summary>
    public Task<T?> TakeAsync(CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_gate)
        {
            if (_items.TryDequeue(out var item)) return Task.FromResult<T?>(item);
            if (cancellationToken.IsCancellationRequested) return Task.FromResult<T?>(null);
            waiter = new Waiter(this);
            waiter.Node = _waiters.AddLast(waiter);
            // Registered under the lock, so Enqueue never sees a waiter without its registration. A token cancelled
            // meanwhile runs Release here, on this thread (the lock is re-entrant).
            waiter.Registration = cancellationToken.UnsafeRegister(static (state, _) => ((Waiter)state!).Queue.Release((Waiter)state), waiter);
        }
        return waiter.Completion.Task;
    }

    private void Release(Waiter waiter)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is null) return; // an item was handed to it first
            _waiters.Remove(waiter.Node);
        }
        // Continuations run inline: the dispatcher's fetch bookkeeping finishes before its stop checks it.
        waiter.Completion.TrySetResult(null);
    }

    private sealed class Waiter(DispatchQueue<T> queue)
    {
        public DispatchQueue<T> Queue { get; } = queue;

        // Continuations inline on purpose (see Release); items are delivered from a pool thread (see Enqueue).
        public TaskCompletionSource<T?> Completion { get; } = new();

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }
}
