using System.Collections.Concurrent;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.State;

namespace Ingestion.Orchestration.Tests.Fakes;

/// <summary>
/// Stands in for the OMOP file activity: records every call and the number of files in flight, waits
/// <see cref="Delay"/>, and fails the files <see cref="Failure"/> says to fail.
/// </summary>
internal sealed class FakeFileActivity : IFileActivity
{
    private int _inFlight, _maxInFlight;

    public TimeSpan Delay { get; set; }

    /// <summary>Awaited by every file before it ends (after <see cref="Delay"/>); null: none.</summary>
    public Task? Hold { get; set; }

    /// <summary>(file index, attempt 1-based) → exception to throw, or null to succeed.</summary>
    public Func<int, int, Exception?> Failure { get; set; } = (_, _) => null;

    public ConcurrentDictionary<int, int> Attempts { get; } = new();
    /// <summary>File indexes in the order their first attempt started.</summary>
    public ConcurrentQueue<int> Started { get; } = new();
    public int MaxInFlight => _maxInFlight;
    public int Calls => Attempts.Values.Sum();

    public async Task<FileResult> RunAsync(FileActivityContext context, CancellationToken cancellationToken)
    {
        var index = context.Activity.Index;
        var attempt = Attempts.AddOrUpdate(index, 1, (_, n) => n + 1);
        if (attempt == 1) Started.Enqueue(index);
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while ((seen = _maxInFlight) < now && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
        try
        {
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, cancellationToken);
            if (Hold is { } hold) await hold.WaitAsync(cancellationToken);
            if (Failure(index, attempt) is { } ex) throw ex;
            return new FileResult { LinesRead = 10, ResourcesValid = 8, Quarantined = 2 };
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
