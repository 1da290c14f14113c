namespace Ingestion.Orchestration;

/// <summary>
/// A run's file slots in this worker process: at most <see cref="RunSettings.MaxParallelFiles"/> work units of one run
/// process files here at once. The batch orchestrator schedules <see cref="RunSettings.QueuedFiles"/> units more than
/// that, which wait here; when a unit ends, the next one starts at once instead of after an orchestrator round trip
/// (its result, the batch's episode, the next activity message). Waiters start in the order they arrive here: the
/// orchestrator's order (largest first), except that units scheduled together (a batch's first window) may arrive in
/// either order. Slots of a run exist while a unit of it holds or waits for one.
/// </summary>
public sealed class FileActivitySlots
{
    private readonly Dictionary<string, RunSlots> _runs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Waits for one of the run's <paramref name="slots"/> slots in this process; dispose the result to free it.</summary>
    public async Task<IDisposable> EnterAsync(string runId, int slots, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        RunSlots run;
        lock (_lock)
        {
            if (!_runs.TryGetValue(runId, out run!)) _runs[runId] = run = new RunSlots(runId, Math.Max(1, slots));
            run.Users++;
        }
        try
        {
            await run.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(run, release: false);
            throw;
        }
        return new Slot(this, run);
    }

    /// <summary>Units of the run waiting for a slot in this process.</summary>
    public int Waiting(string runId)
    {
        lock (_lock)
        {
            return _runs.TryGetValue(runId, out var run) ? run.Users - (run.Size - run.Gate.CurrentCount) : 0;
        }
    }

    private void Leave(RunSlots run, bool release)
    {
        if (release) run.Gate.Release();
        lock (_lock)
        {
            if (--run.Users == 0)
            {
                _runs.Remove(run.RunId);
                run.Gate.Dispose();
            }
        }
    }

    private sealed class RunSlots(string runId, int size)
    {
        public string RunId { get; } = runId;
        public int Size { get; } = size;
        public SemaphoreSlim Gate { get; } = new(size, size);
        /// <summary>Units holding or waiting for a slot (under the owner's lock).</summary>
        public int Users { get; set; }
    }

    private sealed class Slot(FileActivitySlots owner, RunSlots run) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Leave(run, release: true);
        }
    }
}
