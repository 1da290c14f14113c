using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace Ingestion.Privacy;

/// <summary>
/// A bounded, lock-free, direct-mapped cache of derived values, one per de-identifier instance. Per slot a tag (the
/// key's hash) in one compact array and an entry (<see cref="DerivationCacheKey"/> and the two values, inline) in
/// another: a miss reads the tag only, a hit the tag and one 64-byte entry, and a fill allocates nothing (entries that
/// were objects cost an allocation, a promotion and a card-marked reference per miss: at N = 100 copies of Synthea
/// the shared ids outnumber the slots and nearly every lookup misses). A colliding key overwrites the slot. The tag
/// only filters; the entry decides, as a seqlock: a writer makes its version odd (one writer at a time; another skips
/// the fill), writes, then publishes the key with the next even version; a reader keeps a value only if the version
/// it read first is even and unchanged after. Threads share the cache without locks and at worst recompute a value.
/// Memory is fixed by the slot count (72 bytes a slot), whatever the input size.
/// </summary>
[SkipLocalsInit]
internal sealed unsafe class DerivationCache
{
    // 64 bytes: the header (key meta ‖ version), the values, the key's text.
    private struct Entry
    {
        public ulong Header;
        public ulong First;
        public ulong Second;
        public ulong Word0;
        public ulong Word1;
        public ulong Word2;
        public ulong Word3;
        public ulong Word4;
    }

    private readonly ulong[] _tags;
    private readonly Entry[] _entries;
    private readonly int _mask;
    // A seed of this instance's own: which ids share a slot cannot be planned from outside (as with string hashing).
    private readonly long _seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));

    public DerivationCache(int size)
    {
        var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(size, 1));
        _tags = new ulong[slots];
        // Pinned: a miss prefetches its entry by address (below).
        _entries = GC.AllocateArray<Entry>(slots, pinned: true);
        _mask = slots - 1;
    }

    public bool TryGet(in DerivationCacheKey key, out ulong first, out ulong second)
    {
        var tag = Tag(key);
        var index = (int)tag & _mask;
        if (_tags[index] == tag)
        {
            ref var entry = ref _entries[index];
            var header = Volatile.Read(ref entry.Header);
            // Volatile reads throughout: none of them may move after the second read of the header.
            if (header >> 32 == key.Meta && (header & 1) == 0
                && Volatile.Read(ref entry.Word0) == key.Word0 && Volatile.Read(ref entry.Word1) == key.Word1
                && Volatile.Read(ref entry.Word2) == key.Word2 && Volatile.Read(ref entry.Word3) == key.Word3
                && Volatile.Read(ref entry.Word4) == key.Word4)
            {
                first = Volatile.Read(ref entry.First);
                second = Volatile.Read(ref entry.Second);
                if (Volatile.Read(ref entry.Header) == header) return true;
            }
        }
        else if (Sse.IsSupported)
        {
            // A miss is followed by the derivation (hundreds of ns) and the fill, whose exchange on the entry would
            // otherwise stall on a cold line: fetch it now, under the HMAC.
            Sse.Prefetch0(Unsafe.AsPointer(ref _entries[index]));
        }

        first = second = 0;
        return false;
    }

    public void Set(in DerivationCacheKey key, ulong first, ulong second)
    {
        var tag = Tag(key);
        var index = (int)tag & _mask;
        ref var entry = ref _entries[index];
        var header = Volatile.Read(ref entry.Header);
        // Odd: another thread is writing this entry; it wins, this value is simply not kept.
        if ((header & 1) != 0 || Interlocked.CompareExchange(ref entry.Header, header + 1, header) != header) return;
        entry.First = first;
        entry.Second = second;
        entry.Word0 = key.Word0;
        entry.Word1 = key.Word1;
        entry.Word2 = key.Word2;
        entry.Word3 = key.Word3;
        entry.Word4 = key.Word4;
        // The release makes every write above visible before the new key and even version; the tag comes last (a
        // reader that sees it early finds the entry still odd or another key: a miss).
        Volatile.Write(ref entry.Header, key.Meta << 32 | (uint)((uint)header + 2));
        Volatile.Write(ref _tags[index], tag);
    }

    private ulong Tag(in DerivationCacheKey key)
    {
        Span<ulong> words = [key.Meta, key.Word0, key.Word1, key.Word2, key.Word3, key.Word4];
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(words), _seed);
    }
}
