namespace Ingestion.Privacy.Tests;

/// <summary>
/// The de-identifier's cache of shared keys and patient offsets (<see cref="DerivationCache"/>): it returns a value
/// only for the very purpose and input it was stored under, however inputs collide, nearly match or race.
/// </summary>
public class DerivationCacheTests
{
    [Fact]
    public void A_stored_value_comes_back_for_its_purpose_and_input_only()
    {
        var cache = new DerivationCache(64);
        cache.Set(3, "8a3f0c2e-1b2d-4c5e-9f00-123456789abc", ulong.MaxValue, 42);

        Assert.True(cache.TryGet(3, new string("8a3f0c2e-1b2d-4c5e-9f00-123456789abc".AsSpan()), out var first, out var second));
        Assert.Equal((ulong.MaxValue, 42UL), (first, second));
        Assert.False(cache.TryGet(2, "8a3f0c2e-1b2d-4c5e-9f00-123456789abc", out _, out _));
        Assert.False(cache.TryGet(-1, "8a3f0c2e-1b2d-4c5e-9f00-123456789abc", out _, out _));
        Assert.False(cache.TryGet(3, "8a3f0c2e-1b2d-4c5e-9f00-123456789abd", out _, out _));
        Assert.False(cache.TryGet(3, "8a3f0c2e-1b2d-4c5e-9f00-123456789ab", out _, out _));
        Assert.False(cache.TryGet(3, "8a3f0c2e-1b2d-4c5e-9f00-123456789abcd", out _, out _));
    }

    [Fact]
    public void With_one_slot_every_input_replaces_the_last_and_none_reads_anothers_value()
    {
        var cache = new DerivationCache(1);
        for (var i = 0; i < 200; i++)
        {
            var input = "p" + i;
            cache.Set(i % 5 - 1, input, (ulong)i, (ulong)i * 7);
            Assert.True(cache.TryGet(i % 5 - 1, input, out var first, out var second));
            Assert.Equal(((ulong)i, (ulong)i * 7), (first, second));
            if (i > 0) Assert.False(cache.TryGet((i - 1) % 5 - 1, "p" + (i - 1), out _, out _));
        }
    }

    [Fact]
    public void Threads_sharing_a_small_cache_read_only_the_values_of_their_own_inputs()
    {
        var cache = new DerivationCache(16);
        var wrong = 0;
        Parallel.For(0, 4, worker =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                var n = (i * 31 + worker) % 97;
                var input = "id-" + n;
                if (cache.TryGet(n % 3, input, out var first, out var second))
                {
                    if (first != (ulong)n * 1_000_003 || second != (ulong)n) Interlocked.Increment(ref wrong);
                }
                else
                {
                    cache.Set(n % 3, input, (ulong)n * 1_000_003, (ulong)n);
                }
            }
        });

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Keys_and_date_shifts_with_the_cache_equal_those_without_it_when_ids_overflow_it()
    {
        // Eight slots for 300 ids in three domains and the patients' offsets: every slot is overwritten many times.
        var cached = TestKeys.Deidentifier(cacheSize: 8);
        var uncached = TestKeys.Deidentifier(cacheSize: 0);
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 300; i++)
            {
                var id = $"{i:x8}-0000-4000-8000-00000000000{i % 10}";
                foreach (var domain in new[] { OmopKeyDomain.Person, OmopKeyDomain.VisitOccurrence, OmopKeyDomain.Provider })
                {
                    Assert.Equal(uncached.PseudonymousId(domain, id), cached.PseudonymousId(domain, id));
                }
                Assert.Equal(uncached.ShiftDateTime(id, "2020-03-04T10:00:00-05:00"), cached.ShiftDateTime(id, "2020-03-04T10:00:00-05:00"));
                Assert.Equal(uncached.ShiftDate(id, "2019-07"), cached.ShiftDate(id, "2019-07"));
            }
        }
    }
}
