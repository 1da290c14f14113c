using System.Numerics;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The keys of one referenced table (<see cref="RunKeySets"/>): an open-addressing set of longs, linear probing from a
/// multiplicative hash, at most half full. The integrity pass tests every reference of every row against these sets;
/// <see cref="HashSet{T}"/> reads a bucket and then an entry elsewhere (two cache misses a lookup on sets of hundreds of
/// thousands of keys), this reads one run of adjacent slots. Not thread-safe for writes; concurrent reads are safe once
/// nothing adds (the pass's later passes and the reduce only read).
/// </summary>
internal sealed class RowKeySet
{
    private const int MinimumSlots = 16;

    // 0 marks an empty slot, so the key 0 is held apart.
    private long[] _slots = new long[MinimumSlots];
    private int _nonZero;
    private bool _hasZero;

    public int Count => _nonZero + (_hasZero ? 1 : 0);

    public bool Contains(long key)
    {
        if (key == 0) return _hasZero;
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var i = SlotOf(key, slots.Length); ; i = (i + 1) & mask)
        {
            var held = slots[i];
            if (held == key) return true;
            if (held == 0) return false;
        }
    }

    /// <summary>Adds <paramref name="key"/>; false when it was already held.</summary>
    public bool Add(long key)
    {
        if (key == 0)
        {
            if (_hasZero) return false;
            _hasZero = true;
            return true;
        }
        if ((_nonZero + 1) * 2 > _slots.Length) _slots = Rehash(_slots, _slots.Length * 2);
        if (!Insert(_slots, key)) return false;
        _nonZero++;
        return true;
    }

    /// <summary>The keys in ascending order (a new array).</summary>
    public long[] Sorted()
    {
        var keys = new long[Count];
        var n = 0;
        if (_hasZero) keys[n++] = 0;
        foreach (var held in _slots)
            if (held != 0) keys[n++] = held;
        Array.Sort(keys);
        return keys;
    }

    private static bool Insert(long[] slots, long key)
    {
        var mask = slots.Length - 1;
        for (var i = SlotOf(key, slots.Length); ; i = (i + 1) & mask)
        {
            var held = slots[i];
            if (held == key) return false;
            if (held != 0) continue;
            slots[i] = key;
            return true;
        }
    }

    private static long[] Rehash(long[] slots, int length)
    {
        var grown = new long[length];
        foreach (var held in slots)
            if (held != 0) Insert(grown, held);
        return grown;
    }

    // Fibonacci hashing: the top bits of the key times 2^64/φ, so sequential and strided keys spread as well as random ones.
    private static int SlotOf(long key, int length) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> (64 - BitOperations.Log2((uint)length)));
}
