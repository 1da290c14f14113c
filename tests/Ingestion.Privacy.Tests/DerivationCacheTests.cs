namespace Ingestion.Privacy.Tests;

/// <summary>
/// The de-identifier's cache of shared keys and patient offsets (<see cref="DerivationCache"/>): it returns a value
/// only for the very purpose and input it was stored under, however inputs collide, nearly match or race.
/// </summary>
public class DerivationCacheTests
{
    private const string Uuid = "8a3f0c2e-1b2d-4c5e-9f00-123456789abc";

    [Fact]
    public void A_stored_value_comes_back_for_its_purpose_and_input_only()
    {
        var cache = new DerivationCache(64);
        cache.Set(Key(3, Uuid), ulong.MaxValue, 42);

        Assert.True(cache.TryGet(Key(3, new string(Uuid.AsSpan())), out var first, out var second));
        Assert.Equal((ulong.MaxValue, 42UL), (first, second));
        Assert.True(cache.TryGet(Utf8Key(3, Uuid), out first, out _));
        Assert.Equal(ulong.MaxValue, first);
        Assert.False(cache.TryGet(Key(2, Uuid), out _, out _));
        Assert.False(cache.TryGet(Key(-1, Uuid), out _, out _));
        Assert.False(cache.TryGet(Key(3, "8a3f0c2e-1b2d-4c5e-9f00-123456789abd"), out _, out _));
        Assert.False(cache.TryGet(Key(3, "8a3f0c2e-1b2d-4c5e-9f00-123456789ab"), out _, out _));
        Assert.False(cache.TryGet(Key(3, "8a3f0c2e-1b2d-4c5e-9f00-123456789abcd"), out _, out _));
        Assert.False(cache.TryGet(Key(3, Uuid.ToUpperInvariant()), out _, out _));
    }

    [Fact]
    public void Keys_differ_for_ids_that_pad_or_read_alike()
    {
        // Short ids against the same text with trailing NULs, case, purposes apart; longer or non-ASCII ids are not
        // cached at all.
        Assert.False(DerivationCacheKey.TryCreate(1, new string('x', DerivationCacheKey.MaxLength + 1), out _));
        Assert.False(DerivationCacheKey.TryCreate(1, "é", out _));
        Assert.False(DerivationCacheKey.TryCreate(1, (ReadOnlySpan<byte>)"é"u8, out _));
        Assert.False(DerivationCacheKey.TryCreate(1, "", out _));
        var keys = new[]
        {
            Key(1, Uuid), Key(1, Uuid.ToUpperInvariant()), Key(1, "abc"), Key(1, "abc\0"), Key(1, "ab"), Key(2, "abc"),
            Key(-1, "abc"), Key(1, new string('x', DerivationCacheKey.MaxLength)), Key(1, new string('x', DerivationCacheKey.MaxLength - 1)),
        };
        for (var i = 0; i < keys.Length; i++)
        {
            for (var j = 0; j < keys.Length; j++) Assert.Equal(i == j, keys[i].Equals(keys[j]));
        }
        Assert.True(Key(1, "abc").Equals(Utf8Key(1, "abc")));
    }

    [Fact]
    public void Distinct_uuids_have_distinct_keys_and_the_same_key_from_characters_and_utf8()
    {
        var random = new Random(19);
        var seen = new HashSet<(ulong, ulong, ulong, ulong, ulong, ulong)>();
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            // Each id and a neighbour one character apart, at every position over the run.
            var uuid = new Guid(bytes).ToString("D");
            var neighbour = uuid[..(i % 36)] + (uuid[i % 36] == '0' ? '1' : '0') + uuid[(i % 36 + 1)..];
            var key = Key(7, uuid);
            Assert.True(key.Equals(Utf8Key(7, uuid)));
            Assert.True(seen.Add((key.Meta, key.Word0, key.Word1, key.Word2, key.Word3, key.Word4)));
            Assert.True(!DerivationCacheKey.TryCreate(7, neighbour, out var other) || !other.Equals(key));
        }
    }

    [Fact]
    public void With_one_slot_every_input_replaces_the_last_and_none_reads_anothers_value()
    {
        var cache = new DerivationCache(1);
        for (var i = 0; i < 200; i++)
        {
            var input = "p" + i;
            cache.Set(Key(i % 5 - 1, input), (ulong)i, (ulong)i * 7);
            Assert.True(cache.TryGet(Key(i % 5 - 1, input), out var first, out var second));
            Assert.Equal(((ulong)i, (ulong)i * 7), (first, second));
            if (i > 0) Assert.False(cache.TryGet(Key((i - 1) % 5 - 1, "p" + (i - 1)), out _, out _));
        }
    }

    [Fact]
    public void Threads_sharing_one_slot_read_only_the_values_of_their_own_inputs()
    {
        // One slot, so every fill overwrites what another thread may be reading: a torn read (another key's values
        // under this key) shows as a wrong value.
        var cache = new DerivationCache(1);
        var wrong = 0;
        var hits = 0;
        Parallel.For(0, 4, worker =>
        {
            for (var i = 0; i < 500_000; i++)
            {
                var n = (i + worker) % 3;
                var key = Key(n, n == 0 ? "id-" + n : $"{n:x8}-0000-4000-8000-{n:x12}");
                if (cache.TryGet(key, out var first, out var second))
                {
                    Interlocked.Increment(ref hits);
                    if (first != (ulong)n * 1_000_003 || second != (ulong)n) Interlocked.Increment(ref wrong);
                }
                else
                {
                    cache.Set(key, (ulong)n * 1_000_003, (ulong)n);
                }
            }
        });

        Assert.Equal(0, wrong);
        Assert.True(hits > 0);
    }

    [Fact]
    public void Keys_and_date_shifts_with_the_cache_equal_those_without_it_when_ids_overflow_it()
    {
        // Eight slots for 300 ids in three domains and the patients' offsets: every slot is overwritten many times.
        // Ids of every form: UUIDs, short text, non-ASCII and over-long text (those two not cached).
        var cached = TestKeys.Deidentifier(cacheSize: 8);
        var uncached = TestKeys.Deidentifier(cacheSize: 0);
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 300; i++)
            {
                var id = (i % 4) switch
                {
                    0 => $"{i:x8}-0000-4000-8000-00000000000{i % 10}",
                    1 => $"pé{i}",
                    2 => "p" + i,
                    _ => $"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|{i:D10}",
                };
                foreach (var domain in new[] { OmopKeyDomain.Person, OmopKeyDomain.VisitOccurrence, OmopKeyDomain.Provider })
                {
                    var expected = uncached.PseudonymousId(domain, id);
                    Assert.Equal(expected, cached.PseudonymousId(domain, id));
                    Assert.Equal(expected, cached.PseudonymousId(domain, id.AsSpan()));
                    Assert.Equal(expected, cached.PseudonymousId(domain, (ReadOnlySpan<byte>)System.Text.Encoding.UTF8.GetBytes(id)));
                }
                Assert.Equal(uncached.ShiftDateTime(id, "2020-03-04T10:00:00-05:00"), cached.ShiftDateTime(id, "2020-03-04T10:00:00-05:00"));
                Assert.Equal(uncached.ShiftDate(id, "2019-07"), cached.ShiftDate(id, "2019-07"));
            }
        }
    }

    private static DerivationCacheKey Key(int purpose, string id) =>
        DerivationCacheKey.TryCreate(purpose, id.AsSpan(), out var key) ? key : throw new ArgumentException("not cacheable", nameof(id));

    private static DerivationCacheKey Utf8Key(int purpose, string id) =>
        DerivationCacheKey.TryCreate(purpose, (ReadOnlySpan<byte>)System.Text.Encoding.UTF8.GetBytes(id), out var key)
            ? key : throw new ArgumentException("not cacheable", nameof(id));
}
