namespace Ingestion.Orchestration;

/// <summary>A slice of a run's files, processed by one <see cref="FileBatchOrchestrator"/>: <see cref="Indexes"/> in that
/// order, or indexes [First, First + Count).</summary>
public sealed record FileBatchInput(string RunId, string KeyFingerprint, int First, int Count, RunSettings Settings)
{
    /// <summary>The batch's files in processing order (largest first); null: [First, First + Count) in index order.</summary>
    public IReadOnlyList<int>? Indexes { get; init; }

    /// <summary>The file indexes to process, in order.</summary>
    public IReadOnlyList<int> Files() => Indexes ?? Enumerable.Range(First, Count).ToList();
}

/// <summary>What a batch did. Failed indexes only (small); per-file details are in the catalog.</summary>
public sealed record FileBatchOutput(int Done, IReadOnlyList<int> Failed, bool Canceled);
