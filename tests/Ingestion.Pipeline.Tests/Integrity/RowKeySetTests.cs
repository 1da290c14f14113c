using Ingestion.Pipeline.Publishing;

namespace Ingestion.Pipeline.Tests.Integrity;

/// <summary>The integrity pass's key sets answer as the <see cref="HashSet{T}"/> they replaced: the same adds accepted,
/// the same membership, count and sorted keys, for random keys, the empty-slot value 0, the extremes, and sequential and
/// strided keys (the shapes a multiplicative hash could crowd into one run of slots).</summary>
public sealed class RowKeySetTests
{
    public static TheoryData<string> Shapes => new() { "random", "sequential", "strided", "high bits", "extremes" };

    private static IEnumerable<long> Keys(string shape, Random random) => shape switch
    {
        "random" => Enumerable.Range(0, 200_000).Select(_ => random.NextInt64(long.MinValue, long.MaxValue)),
        "sequential" => Enumerable.Range(-1_000, 150_000).Select(i => (long)i),
        "strided" => Enumerable.Range(0, 100_000).Select(i => (long)i * 4096),
        "high bits" => Enumerable.Range(0, 100_000).Select(i => (long)i << 40),
        _ => [0, 1, -1, long.MinValue, long.MaxValue, long.MinValue + 1, long.MaxValue - 1, 0, long.MinValue, 2, 3],
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Answers_as_the_hash_set_it_replaced(string shape)
    {
        var random = new Random(19);
        var keys = Keys(shape, random).ToList();
        // Half again, so some adds repeat a key.
        keys.AddRange(keys.Take(keys.Count / 2));
        var expected = new HashSet<long>();
        var set = new RowKeySet();
        foreach (var key in keys) Assert.Equal(expected.Add(key), set.Add(key));

        Assert.Equal(expected.Count, set.Count);
        Assert.Equal(expected.Order(), set.Sorted());
        foreach (var key in keys) Assert.True(set.Contains(key));
        var probes = Enumerable.Range(0, 50_000).Select(_ => random.NextInt64(long.MinValue, long.MaxValue))
            .Concat(keys.Select(k => k + 1)).Concat(keys.Select(k => k ^ (1L << 62))).Append(0);
        foreach (var probe in probes) Assert.Equal(expected.Contains(probe), set.Contains(probe));
    }

    [Fact]
    public void An_empty_set_holds_nothing_not_even_the_empty_slot_value()
    {
        var set = new RowKeySet();
        Assert.False(set.Contains(0));
        Assert.False(set.Contains(long.MinValue));
        Assert.Equal(0, set.Count);
        Assert.Empty(set.Sorted());
    }
}
