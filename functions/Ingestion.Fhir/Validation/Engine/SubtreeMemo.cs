using Ingestion.Fhir.Json;
using System.IO.Hashing;
using System.Numerics;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// The subtrees (JSON objects below a resource root) a walk validated clean before, by element context, so the same
/// bytes met again in the same context are not walked again: Synthea repeats most of itself (codings, references to
/// the same practitioner, adjudications...). Only clean verdicts are kept — a subtree that raised any issue is always
/// walked — so an issue's location and message never come from here. Keyed by the context id the compiler gave the
/// element (<see cref="SubtreeContexts"/>), the walk, the length and a 128-bit hash of the raw UTF-8 bytes seeded
/// with the context: the hash's low bits pick the slot, its upper half (with the length mixed in) is the 63-bit tag stored
/// there, so a false hit needs two objects whose hashes agree in 15 + 63 bits. Eight bytes an entry (256 KB): the
/// lookups are random, and a smaller table stays in the core's cache. Fixed size (a direct-mapped table, a newer
/// entry overwrites an older one), one per pooled <see cref="ValidationContext"/>: one thread at a time, no locks.
/// Before hashing, an object is compared with the last one hashed in its context (<see cref="ContextBucket"/>): the
/// same bytes, known clean, are a hit without the hash.
/// </summary>
internal sealed class SubtreeMemo
{
    /// <summary>How an object was walked, the low bits of its key (context id × 4 + this): the same bytes walked another way are another entry.</summary>
    public const int StructureOnly = 0, ConstraintsOnly = 1, StructureAndConstraints = 2;

    /// <summary>Smaller objects (a two-member Coding) are cheaper to walk than to hash and look up.</summary>
    public const int MinimumBytes = 48;

    private const int Capacity = 1 << 15;
    private readonly ulong[] _tags = new ulong[Capacity]; // 0: empty

    // Hashing costs as much as the bytes are long, at every level that misses: contexts whose objects rarely repeat
    // (an EOB item, with its own sequence numbers) are not hashed once their score — +4 a hit, −1 a miss, per bucket
    // of context ids — falls to SkipAt; one lookup in ProbeEvery still tries them, so a context can come back.
    private const int ScoreBuckets = 4096, SkipAt = -64, ScoreMin = -128, ScoreMax = 64, ProbeEvery = 32;
    private int _skipped;

    // Per bucket of context ids (the score's), beside its score: the object last hashed there, its bytes copied. Most
    // hits repeat the object met just before in the same context (on Synthea 64 %: a file's resources follow one
    // patient and one encounter), and comparing those bytes costs less than hashing them and reading a random slot.
    // Objects longer than LastMaxBytes are not copied (their bucket keeps what it had).
    private const int LastMaxBytes = 512;
    private readonly ContextBucket[] _buckets = new ContextBucket[ScoreBuckets];

    /// <summary>
    /// <see cref="ContainedIds"/> of the resource being walked, for contexts whose constraints read them
    /// (<see cref="SubtreeDependency.ContainedIds"/>); null when not known exactly. Set by the constraint walk.
    /// </summary>
    public UInt128? ContainedIdsHash { get; set; }

    /// <summary>Reused for <see cref="ContainedIdsHash"/>: a hasher per resource with contained resources was ~2.5 % of a run's allocations.</summary>
    public XxHash128 ContainedIdsHasher { get; } = new();

    /// <summary>Lookups and hits since the memo was created (the benchmark's hit rate).</summary>
    public long Lookups { get; private set; }

    public long Hits { get; private set; }

    /// <summary>
    /// True when <paramref name="value"/> was validated clean before in <paramref name="context"/> (a context id of
    /// <see cref="SubtreeContexts"/> × 4 + how it is walked); otherwise <paramref name="key"/> is what
    /// <see cref="Remember"/> stores if it turns out clean (default when the object is too small to be worth it).
    /// </summary>
    /// <param name="environment">Zero, or the hash of what else the verdict depends on (<see cref="ContainedIdsHash"/>): mixed into the key.</param>
    public bool Seen(int context, ResourceElement value, out SubtreeKey key, UInt128 environment = default)
    {
        var bytes = value.RawUtf8;
        if (bytes.Length < MinimumBytes)
        {
            key = default;
            return false;
        }
        var bucketIndex = context & (ScoreBuckets - 1);
        ref var bucket = ref _buckets[bucketIndex];
        if (bucket.Score <= SkipAt && ++_skipped % ProbeEvery != 0)
        {
            key = default;
            return false;
        }
        Lookups++;
        if (bucket.Clean && bucket.Context == context && bucket.Environment == environment && bytes.SequenceEqual(bucket.Bytes.AsSpan(0, bucket.Length)))
        {
            // The same bytes as the last object hashed in this context, which was walked (or found) clean: what the
            // table holds for them, without hashing them. The table is not read, nor written.
            key = default;
            Hit(ref bucket);
            return true;
        }
        var hash = XxHash128.HashToUInt128(bytes, context) ^ environment;
        key = new SubtreeKey((int)((ulong)hash & (Capacity - 1)), bucketIndex, Tag(hash, bytes.Length));
        var hit = _tags[key.Slot] == key.Tag;
        if (bytes.Length <= LastMaxBytes) bucket.Hold(context, environment, bytes, in key, hit);
        if (hit)
        {
            Hit(ref bucket);
            return true;
        }
        bucket.Score = (sbyte)Math.Max(bucket.Score - 1, ScoreMin);
        return false;
    }

    private void Hit(ref ContextBucket bucket)
    {
        Hits++;
        bucket.Score = (sbyte)Math.Min(bucket.Score + 4, ScoreMax);
    }

    /// <summary>Stores a key <see cref="Seen"/> gave, after its subtree was walked without any issue.</summary>
    public void Remember(in SubtreeKey key)
    {
        if (key.Tag == 0) return;
        _tags[key.Slot] = key.Tag;
        // Its bucket still holding this object (no other object hashed there since): a repeat is now a hit there too.
        ref var bucket = ref _buckets[key.Bucket];
        if (bucket.Tag == key.Tag && bucket.Slot == key.Slot) bucket.Clean = true;
    }

    /// <summary>The hash's upper 64 bits (the slot comes from the lower), the length mixed in; never 0 (an empty slot).</summary>
    private static ulong Tag(UInt128 hash, int length) => ((ulong)(hash >> 64) ^ (ulong)length * 0x9E3779B97F4A7C15UL) | 1;

    /// <summary>
    /// A bucket of context ids in <see cref="SubtreeMemo"/>: its score, and the last object hashed there (context,
    /// environment, bytes, key), a hit without hashing once <see cref="Clean"/> (found in the table, or remembered).
    /// </summary>
    private struct ContextBucket
    {
        public UInt128 Environment;
        public ulong Tag;
        public byte[]? Bytes;
        public int Context;
        public int Slot;
        public int Length;
        public bool Clean;
        public sbyte Score;

        /// <summary>Holds an object just hashed: <paramref name="clean"/> when the table had it, else it waits for <see cref="SubtreeMemo.Remember"/>.</summary>
        public void Hold(int context, UInt128 environment, ReadOnlySpan<byte> bytes, in SubtreeKey key, bool clean)
        {
            if (Bytes is null || Bytes.Length < bytes.Length) Bytes = new byte[Math.Max(64, (int)BitOperations.RoundUpToPowerOf2((uint)bytes.Length))];
            bytes.CopyTo(Bytes);
            Length = bytes.Length;
            Context = context;
            Environment = environment;
            Tag = key.Tag;
            Slot = key.Slot;
            Clean = clean;
        }
    }
}

/// <summary>
/// A subtree's memo key: its slot and tag (from the hash of its bytes seeded with the context, and their length), and
/// its context's bucket; tag 0: not remembered.
/// </summary>
internal readonly record struct SubtreeKey(int Slot, int Bucket, ulong Tag);
