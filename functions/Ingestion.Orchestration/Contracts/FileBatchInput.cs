namespace Ingestion.Orchestration;

/// <summary>A slice of a run's files, processed by one <see cref="FileBatchOrchestrator"/>: indexes [First, First + Count).</summary>
public sealed record FileBatchInput(string RunId, string KeyFingerprint, int First, int Count, RunSettings Settings);

/// <summary>What a batch did. Failed indexes only (small); per-file details are in the catalog.</summary>
public sealed record FileBatchOutput(int Done, IReadOnlyList<int> Failed, bool Canceled);
