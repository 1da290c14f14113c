namespace Ingestion.Privacy.Tests;

public class DateOffsetTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(365)]
    [InlineData(3650)]
    public void Offsets_are_never_zero_and_stay_within_N_days(int maxShiftDays)
    {
        var deid = TestKeys.Deidentifier(maxShiftDays: maxShiftDays);
        for (var i = 0; i < 50_000; i++)
        {
            var offset = deid.DateOffsetDays($"p{i}");
            Assert.NotEqual(0, offset);
            Assert.InRange(offset, -maxShiftDays, maxShiftDays);
        }
    }

    [Fact]
    public void Offsets_are_roughly_uniform_over_both_signs_and_every_value()
    {
        const int n = 365, samples = 365_000;
        var deid = TestKeys.Deidentifier(maxShiftDays: n, cacheSize: 0);
        var counts = new int[2 * n + 1];
        for (var i = 0; i < samples; i++) counts[deid.DateOffsetDays($"patient/{i}") + n]++;

        Assert.Equal(0, counts[n]);
        // Chi-square over the 730 possible offsets (729 degrees of freedom): mean 729, sd ≈ 38; 900 is p < 1e-5.
        const double expected = (double)samples / (2 * n);
        var chiSquare = counts.Where((_, i) => i != n).Sum(c => (c - expected) * (c - expected) / expected);
        Assert.InRange(chiSquare, 550, 900);
        var negative = counts.Take(n).Sum();
        Assert.InRange(negative, samples / 2 - 2000, samples / 2 + 2000); // ±6.6 sd
    }

    [Fact]
    public void Invalid_shift_range_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TestKeys.Deidentifier(maxShiftDays: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TestKeys.Deidentifier(maxShiftDays: 3651));
    }
}
