using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// The subtrees (JSON objects below a resource root) a walk validated clean before, by element context, so the same
/// bytes met again in the same context are not walked again: Synthea repeats most of itself (codings, references to
/// the same practitioner, adjudications...). Only clean verdicts are kept — a subtree that raised any issue is always
/// walked — so an issue's location and message never come from here. Keyed by the context id the compiler gave the
/// element (<see cref="SubtreeContexts"/>), the walk, the length and a 128-bit hash of the raw UTF-8 bytes: a false
/// hit needs an XxHash128 collision between two objects of the same length in the same context. Fixed size (a
/// direct-mapped table, a newer entry overwrites an older one), one per pooled <see cref="ValidationContext"/>: one
/// thread at a time, no locks.
/// </summary>
internal sealed class SubtreeMemo
{
    /// <summary>How an object was walked, the low bits of its key (context id × 4 + this): the same bytes walked another way are another entry.</summary>
    public const int StructureOnly = 0, ConstraintsOnly = 1, StructureAndConstraints = 2;

    /// <summary>Smaller objects (a two-member Coding) are cheaper to walk than to hash and look up.</summary>
    public const int MinimumBytes = 48;

    private const int Capacity = 1 << 15;
    private readonly SubtreeKey[] _entries = new SubtreeKey[Capacity];

    // Hashing costs as much as the bytes are long, at every level that misses: contexts whose objects rarely repeat
    // (an EOB item, with its own sequence numbers) are not hashed once their score — +4 a hit, −1 a miss, per bucket
    // of context ids — falls to SkipAt; one lookup in ProbeEvery still tries them, so a context can come back.
    private const int ScoreBuckets = 4096, SkipAt = -64, ScoreMin = -128, ScoreMax = 64, ProbeEvery = 32;
    private readonly sbyte[] _scores = new sbyte[ScoreBuckets];
    private int _skipped;

    /// <summary>
    /// <see cref="ContainedIds"/> of the resource being walked, for contexts whose constraints read them
    /// (<see cref="SubtreeDependency.ContainedIds"/>); null when not known exactly. Set by the constraint walk.
    /// </summary>
    public UInt128? ContainedIdsHash { get; set; }

    /// <summary>Lookups and hits since the memo was created (the benchmark's hit rate).</summary>
    public long Lookups { get; private set; }

    public long Hits { get; private set; }

    /// <summary>
    /// True when <paramref name="value"/> was validated clean before in <paramref name="context"/> (a context id of
    /// <see cref="SubtreeContexts"/> × 4 + how it is walked); otherwise <paramref name="key"/> is what
    /// <see cref="Remember"/> stores if it turns out clean (default when the object is too small to be worth it).
    /// </summary>
    /// <param name="environment">Zero, or the hash of what else the verdict depends on (<see cref="ContainedIdsHash"/>): mixed into the key.</param>
    public bool Seen(int context, JsonElement value, out SubtreeKey key, UInt128 environment = default)
    {
        var bytes = JsonMarshal.GetRawUtf8Value(value);
        if (bytes.Length < MinimumBytes)
        {
            key = default;
            return false;
        }
        ref var score = ref _scores[context & (ScoreBuckets - 1)];
        if (score <= SkipAt && ++_skipped % ProbeEvery != 0)
        {
            key = default;
            return false;
        }
        key = new SubtreeKey(XxHash128.HashToUInt128(bytes, context) ^ environment, bytes.Length, context);
        Lookups++;
        ref readonly var entry = ref _entries[Slot(key)];
        if (entry.Context == context && entry.Length == key.Length && entry.Hash == key.Hash)
        {
            Hits++;
            score = (sbyte)Math.Min(score + 4, ScoreMax);
            return true;
        }
        score = (sbyte)Math.Max(score - 1, ScoreMin);
        return false;
    }

    /// <summary>Stores a key <see cref="Seen"/> gave, after its subtree was walked without any issue.</summary>
    public void Remember(in SubtreeKey key)
    {
        if (key.Context != 0) _entries[Slot(key)] = key;
    }

    private static int Slot(in SubtreeKey key) => (int)((ulong)key.Hash & (Capacity - 1));
}

/// <summary>A subtree's memo key: 128-bit hash of its bytes (seeded with the context), their length, the context.</summary>
internal readonly record struct SubtreeKey(UInt128 Hash, int Length, int Context);
