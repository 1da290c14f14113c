using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ingestion.Privacy;

/// <summary>
/// A bounded, lock-free, direct-mapped cache of derived values, one per de-identifier instance. A slot holds its key
/// (<see cref="DerivationCacheKey"/>: purpose and id in fixed width) and the two values inline, so a lookup reads one
/// slot and a fill allocates nothing: at N = 100 copies of Synthea the shared ids outnumber the slots, and entries
/// that were objects cost an allocation, a promotion and a card-marked reference per miss. A colliding key overwrites
/// the slot. Each slot is a seqlock: a writer makes its version odd (one writer at a time; another skips the fill),
/// writes, then publishes the key with the next even version; a reader keeps a value only if the version it read
/// first is even and unchanged after, so threads share the cache without locks and at worst recompute a value.
/// Memory is fixed by the slot count, whatever the input size.
/// </summary>
[SkipLocalsInit]
internal sealed class DerivationCache
{
    // 48 bytes: the header (key meta ‖ version), the values, the key's words.
    private struct Slot
    {
        public ulong Header;
        public ulong First;
        public ulong Second;
        public ulong Word0;
        public ulong Word1;
        public ulong Word2;
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

    public bool TryGet(in DerivationCacheKey key, out ulong first, out ulong second)
    {
        ref var slot = ref _slots[Index(key)];
        var header = Volatile.Read(ref slot.Header);
        // Volatile reads throughout: none of them may move after the second read of the header.
        if ((uint)(header >> 32) == key.Meta && (header & 1) == 0
            && Volatile.Read(ref slot.Word0) == key.Word0 && Volatile.Read(ref slot.Word1) == key.Word1
            && Volatile.Read(ref slot.Word2) == key.Word2)
        {
            first = Volatile.Read(ref slot.First);
            second = Volatile.Read(ref slot.Second);
            if (Volatile.Read(ref slot.Header) == header) return true;
        }

        first = second = 0;
        return false;
    }

    public void Set(in DerivationCacheKey key, ulong first, ulong second)
    {
        ref var slot = ref _slots[Index(key)];
        var header = Volatile.Read(ref slot.Header);
        // Odd: another thread is writing this slot; it wins, this value is simply not kept.
        if ((header & 1) != 0 || Interlocked.CompareExchange(ref slot.Header, header + 1, header) != header) return;
        slot.First = first;
        slot.Second = second;
        slot.Word0 = key.Word0;
        slot.Word1 = key.Word1;
        slot.Word2 = key.Word2;
        // The release makes every write above visible before the new key and even version.
        Volatile.Write(ref slot.Header, (ulong)key.Meta << 32 | (uint)((uint)header + 2));
    }

    private int Index(in DerivationCacheKey key)
    {
        Span<ulong> words = [key.Meta, key.Word0, key.Word1, key.Word2];
        return (int)XxHash3.HashToUInt64(MemoryMarshal.AsBytes(words), _seed) & _mask;
    }
}
