namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// Returns the memory the GC committed but does not use to the operating system, at the fan-in's phase boundaries
/// where large state has just died. Server GC keeps the space a phase's garbage took (its regions, the large-object
/// heap's fragments) committed and grows the next phase on top of it, so a run's peak RSS was the sum of the phases'
/// high-water marks, not the largest live heap (docs/benchmarks.md, "After mem" and "After fanin3"). One blocking
/// compacting collection decommits that space; it costs tens of milliseconds, so between phases it runs only when the
/// unused committed space is large (a large run), not on every run.
/// </summary>
internal static class UnusedHeapMemory
{
    /// <summary>Unused committed space (committed minus the live heap after the last collection) worth a collection.</summary>
    internal const long ReturnAboveBytes = 32L << 20;

    /// <summary>Collects and decommits now.</summary>
    public static void Return() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>Collects and decommits when the GC holds more than <see cref="ReturnAboveBytes"/> it does not use;
    /// true when it did.</summary>
    public static bool ReturnIfLarge()
    {
        var info = GC.GetGCMemoryInfo();
        var live = info.HeapSizeBytes - info.FragmentedBytes;
        if (info.TotalCommittedBytes - live < ReturnAboveBytes) return false;
        Return();
        return true;
    }
}
