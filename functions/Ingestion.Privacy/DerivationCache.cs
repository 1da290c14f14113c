using System.IO.Hashing;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ingestion.Privacy;

/// <summary>
/// A bounded, lock-free, direct-mapped cache of derived values, one per de-identifier instance. Each slot holds an
/// immutable entry; a colliding key overwrites it. Reads and writes of a reference are atomic, so threads share it
/// without locks and at worst recompute a value. Memory is fixed by the slot count, whatever the input size.
/// </summary>
internal sealed class DerivationCache
{
    private sealed class Entry(int purpose, string input, ulong first, ulong second)
    {
        public readonly int Purpose = purpose;
        public readonly string Input = input;
        public readonly ulong First = first;
        public readonly ulong Second = second;
    }

    private readonly Entry?[] _slots;
    private readonly int _mask;
    // A seed of this instance's own: which ids share a slot cannot be planned from outside (as with string hashing).
    private readonly long _seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));

    public DerivationCache(int size)
    {
        var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(size, 1));
        _slots = new Entry?[slots];
        _mask = slots - 1;
    }

    public bool TryGet(int purpose, string input, out ulong first, out ulong second)
    {
        var entry = _slots[Slot(purpose, input)];
        if (entry is not null && entry.Purpose == purpose && string.Equals(entry.Input, input, StringComparison.Ordinal))
        {
            first = entry.First;
            second = entry.Second;
            return true;
        }

        first = second = 0;
        return false;
    }

    public void Set(int purpose, string input, ulong first, ulong second) =>
        _slots[Slot(purpose, input)] = new Entry(purpose, input, first, second);

    // XXH3 over the id's UTF-16: a third of the string hash's (Marvin's) cost on the ids of every shared key.
    private int Slot(int purpose, string input) =>
        ((int)XxHash3.HashToUInt64(MemoryMarshal.AsBytes(input.AsSpan()), _seed) ^ (purpose * -1640531535)) & _mask;
}
