using Ingestion.Parquet.Columns;

namespace Ingestion.Parquet.Tests;

public sealed class FixedWidthDictionaryTests
{
    [Theory]
    [InlineData(10, 50)]
    [InlineData(3_000, 10_000)]
    [InlineData(200_000, 300_000)]
    public void Gives_the_indices_a_dictionary_filled_in_the_same_order_gives_through_every_growth(int distinct, int values)
    {
        var random = new Random(distinct);
        var pool = Enumerable.Range(0, distinct).Select(_ => random.NextInt64(long.MinValue, long.MaxValue)).ToArray();
        pool[0] = 0;
        var reference = new Dictionary<long, int>();
        var dictionary = new FixedWidthDictionary<long, long>();
        for (var i = 0; i < values; i++)
        {
            var value = pool[random.Next(pool.Length)];
            var expectedAdded = !reference.ContainsKey(value);
            if (expectedAdded) reference.Add(value, reference.Count);
            Assert.Equal(reference[value], dictionary.IndexOf(value, out var added));
            Assert.Equal(expectedAdded, added);
        }
        Assert.Equal(reference.Count, dictionary.Count);
        Assert.Equal(reference.OrderBy(p => p.Value).Select(p => p.Key), dictionary.Values.ToArray());
    }

    [Fact]
    public void Keeps_values_apart_by_their_bits_and_finds_them_again()
    {
        var otherNaN = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(double.NaN) ^ 1);
        var dictionary = new FixedWidthDictionary<double, long>();
        double[] values = [0.0, -0.0, double.NaN, otherNaN, 1.5, double.NegativeInfinity];
        for (var i = 0; i < values.Length; i++) Assert.Equal(i, dictionary.IndexOf(values[i], out _));
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(i, dictionary.IndexOf(values[i], out var added));
            Assert.False(added);
        }
    }

    [Fact]
    public void Starts_over_after_clear()
    {
        var dictionary = new FixedWidthDictionary<int, int>();
        for (var i = 0; i < 5_000; i++) dictionary.IndexOf(i * 7919, out _);
        dictionary.Clear();
        Assert.Equal(0, dictionary.Count);
        Assert.Equal(0, dictionary.IndexOf(42, out var added));
        Assert.True(added);
        Assert.Equal(1, dictionary.IndexOf(7919, out added));
        Assert.True(added);
    }
}
