namespace Ingestion.Omop;

/// <summary>
/// Counts of the few keys a file repeats (its resource type and outcome, its tables, its code systems), held by
/// reference in front of a report's dictionaries: a repeat is an identity check and an increment instead of a hash
/// lookup per row. The keys are the mapper's shared strings; an equal string of another instance takes a slot of its
/// own and both add up when flushed. Four slots; not thread-safe (the report's own rule).
/// </summary>
internal sealed class RecentCounts
{
    private const int SlotCount = 4;

    private readonly string?[] _keys = new string?[SlotCount];
    private readonly int[] _tags = new int[SlotCount];
    private readonly long[] _counts = new long[SlotCount];
    private int _used;

    /// <summary>Keys held, slots 0 to <see cref="Count"/> - 1.</summary>
    public int Count => _used;

    /// <summary>Counts one of (<paramref name="key"/>, <paramref name="tag"/>); false when every slot holds another
    /// key (the caller flushes them with <see cref="Clear"/> and adds again).</summary>
    public bool TryAdd(string key, int tag)
    {
        for (var i = 0; i < _used; i++)
        {
            if (ReferenceEquals(_keys[i], key) && _tags[i] == tag)
            {
                _counts[i]++;
                return true;
            }
        }
        if (_used == SlotCount) return false;
        (_keys[_used], _tags[_used], _counts[_used]) = (key, tag, 1);
        _used++;
        return true;
    }

    public (string Key, int Tag, long Count) this[int slot] => (_keys[slot]!, _tags[slot], _counts[slot]);

    public void Clear()
    {
        Array.Clear(_keys);
        _used = 0;
    }
}
