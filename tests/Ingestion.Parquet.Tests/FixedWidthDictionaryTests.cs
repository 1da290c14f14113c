using Ingestion.Parquet.Columns;

namespace Ingestion.Parquet.Tests;

public sealed class FixedWidthDictionaryTests
{
    [Theory]
    [InlineData(10, 5_000)]
    [InlineData(3_000, 10_000)]
    [InlineData(200_000, 300_000)]
    public void Gives_the_indices_a_dictionary_filled_in_the_same_order_gives_through_every_growth(int distinct, int values)
    {
        var random = new Random(distinct);
        var pool = Enumerable.Range(0, distinct).Select(_ => random.NextInt64(long.MinValue, long.MaxValue)).ToArray();
        pool[0] = 0;
        // Runs of one value (a person's rows) between random draws: the repeat shortcut and the probe both answer.
        var input = new long[values];
        for (var i = 0; i < values; i++) input[i] = i > 0 && random.Next(3) == 0 ? input[i - 1] : pool[random.Next(pool.Length)];
        var reference = new Dictionary<long, int>();
        var expected = new int[values];
        for (var i = 0; i < values; i++)
        {
            if (!reference.ContainsKey(input[i])) reference.Add(input[i], reference.Count);
            expected[i] = reference[input[i]];
        }

        // Runs of every length from 1 up, as slices of batches between nulls arrive.
        var dictionary = new FixedWidthDictionary<long, long>();
        var indices = new int[values];
        for (int at = 0, run = 1; at < values; at += run, run = run % 700 + 1)
        {
            var length = Math.Min(run, values - at);
            Assert.Equal(length, dictionary.IndexRange(input.AsSpan(at, length), indices.AsSpan(at, length), int.MaxValue));
        }
        Assert.Equal(expected, indices);
        Assert.Equal(reference.Count, dictionary.Count);
        Assert.Equal(reference.OrderBy(p => p.Value).Select(p => p.Key), dictionary.Values.ToArray());
    }

    [Fact]
    public void Stops_right_after_the_value_that_takes_the_count_past_the_limit()
    {
        var dictionary = new FixedWidthDictionary<int, int>();
        int[] values = [5, 5, 6, 5, 7, 6, 8, 9];
        var indices = new int[values.Length];
        // Limit 2: the third distinct value (7, at position 4) is the one past it; repeats before it do not count.
        Assert.Equal(5, dictionary.IndexRange(values, indices, maxCount: 2));
        Assert.Equal([0, 0, 1, 0, 2], indices[..5]);
        Assert.Equal(3, dictionary.Count);
    }

    [Fact]
    public void Keeps_values_apart_by_their_bits_and_finds_them_again()
    {
        var otherNaN = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(double.NaN) ^ 1);
        var dictionary = new FixedWidthDictionary<double, long>();
        double[] values = [0.0, -0.0, double.NaN, otherNaN, 1.5, double.NegativeInfinity];
        var indices = new int[values.Length];
        dictionary.IndexRange(values, indices, int.MaxValue);
        Assert.Equal([0, 1, 2, 3, 4, 5], indices);
        dictionary.IndexRange(values, indices, int.MaxValue);
        Assert.Equal([0, 1, 2, 3, 4, 5], indices);
        Assert.Equal(values.Length, dictionary.Count);
    }

    [Fact]
    public void Starts_over_after_clear()
    {
        var dictionary = new FixedWidthDictionary<int, int>();
        var many = Enumerable.Range(0, 5_000).Select(i => i * 7919).ToArray();
        dictionary.IndexRange(many, new int[many.Length], int.MaxValue);
        dictionary.Clear();
        Assert.Equal(0, dictionary.Count);
        var indices = new int[3];
        dictionary.IndexRange([42, 7919, 42], indices, int.MaxValue);
        Assert.Equal([0, 1, 0], indices);
        Assert.Equal(2, dictionary.Count);
    }
}
