namespace Ingestion.Orchestration;

/// <summary>A slice of a run's files, processed by one <see cref="FileBatchOrchestrator"/>: <see cref="Indexes"/> in that
/// order, or indexes [First, First + Count).</summary>
public sealed record FileBatchInput(string RunId, string KeyFingerprint, int First, int Count, RunSettings Settings)
{
    /// <summary>The batch's files in processing order (largest first); null: [First, First + Count) in index order.</summary>
    public IReadOnlyList<int>? Indexes { get; init; }

    /// <summary>How many consecutive files of <see cref="Files"/> each work unit (one file activity) takes; null: one each.</summary>
    public IReadOnlyList<int>? Units { get; init; }

    /// <summary>Send <see cref="OrchestrationEvents.BatchScheduled"/> to the run once every unit is scheduled, so the next
    /// batch starts while this one's last units run (false in batches of runs started by older builds).</summary>
    public bool AnnounceScheduled { get; init; }

    /// <summary>The file indexes to process, in order.</summary>
    public IReadOnlyList<int> Files() => Indexes ?? Enumerable.Range(First, Count).ToList();

    /// <summary>The work units in order, each the file indexes one activity processes.</summary>
    public IReadOnlyList<IReadOnlyList<int>> WorkUnits()
    {
        var files = Files();
        if (Units is null) return files.Select(f => (IReadOnlyList<int>)[f]).ToList();
        var units = new List<IReadOnlyList<int>>(Units.Count);
        var next = 0;
        foreach (var size in Units)
        {
            units.Add(files.Skip(next).Take(size).ToList());
            next += size;
        }
        return units;
    }

    /// <summary>The unit sizes of the slice [first, first + count) of a run's files: a unit the slice's ends cut is split
    /// there. Null when <paramref name="units"/> is null (one file each).</summary>
    public static IReadOnlyList<int>? SliceUnits(IReadOnlyList<int>? units, int first, int count)
    {
        if (units is null) return null;
        var slice = new List<int>();
        var start = 0;
        foreach (var size in units)
        {
            var from = Math.Max(start, first);
            var to = Math.Min(start + size, first + count);
            if (to > from) slice.Add(to - from);
            start += size;
            if (start >= first + count) break;
        }
        return slice;
    }
}

/// <summary>What a batch did. Failed indexes only (small); per-file details are in the catalog.</summary>
public sealed record FileBatchOutput(int Done, IReadOnlyList<int> Failed, bool Canceled);
