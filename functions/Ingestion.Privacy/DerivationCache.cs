using System.IO.Hashing;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ingestion.Privacy;

/// <summary>
/// A bounded, lock-free, direct-mapped cache of derived values, one per de-identifier instance. Each slot holds a
/// tag (the input's hash) and an immutable entry; a colliding key overwrites it. The entry is the one object a hit
/// reads: a char array of the two values, the purpose and the input, compared as a whole. Reads and writes of a
/// reference are atomic, and the tag only filters (the entry decides), so threads share it without locks and at worst
/// recompute a value. Memory is fixed by the slot count, whatever the input size.
/// </summary>
internal sealed class DerivationCache
{
    // An entry's chars: First (4), Second (4), Purpose (2), then the input.
    private const int HeaderChars = 10;

    // A miss reads one slot (its tag differs) instead of a slot, an entry and the entry's string; a hit reads the slot
    // and one array, not three objects: at N = 100 these lookups were cache misses, most of their cost.
    private struct Slot
    {
        public ulong Tag;
        public char[]? Entry;
    }

    private readonly Slot[] _slots;
    private readonly int _mask;
    // A seed of this instance's own: which ids share a slot cannot be planned from outside (as with string hashing).
    private readonly long _seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));

    public DerivationCache(int size)
    {
        var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(size, 1));
        _slots = new Slot[slots];
        _mask = slots - 1;
    }

    public bool TryGet(int purpose, string input, out ulong first, out ulong second)
    {
        var tag = Tag(purpose, input);
        ref var slot = ref _slots[(int)tag & _mask];
        // The tag, then the entry (read once: another thread may replace it); the entry alone decides a hit.
        if (slot.Tag == tag && Volatile.Read(ref slot.Entry) is { } entry && Matches(entry, purpose, input))
        {
            var values = MemoryMarshal.Cast<char, ulong>(entry.AsSpan(0, 8));
            first = values[0];
            second = values[1];
            return true;
        }

        first = second = 0;
        return false;
    }

    public void Set(int purpose, string input, ulong first, ulong second)
    {
        var entry = new char[HeaderChars + input.Length];
        var values = MemoryMarshal.Cast<char, ulong>(entry.AsSpan(0, 8));
        values[0] = first;
        values[1] = second;
        MemoryMarshal.Write(MemoryMarshal.AsBytes(entry.AsSpan(8, 2)), purpose);
        input.CopyTo(entry.AsSpan(HeaderChars));

        var tag = Tag(purpose, input);
        ref var slot = ref _slots[(int)tag & _mask];
        // A reader that sees the new tag with the old entry (or the reverse) finds no match: a miss, never a wrong value.
        Volatile.Write(ref slot.Entry, entry);
        slot.Tag = tag;
    }

    private static bool Matches(char[] entry, int purpose, string input) =>
        entry.Length == HeaderChars + input.Length
        && MemoryMarshal.Read<int>(MemoryMarshal.AsBytes(entry.AsSpan(8, 2))) == purpose
        && entry.AsSpan(HeaderChars).SequenceEqual(input);

    // XXH3 over the id's UTF-16: a third of the string hash's (Marvin's) cost on the ids of every shared key.
    private ulong Tag(int purpose, string input) =>
        XxHash3.HashToUInt64(MemoryMarshal.AsBytes(input.AsSpan()), _seed) ^ (ulong)(uint)(purpose * -1640531535);
}
