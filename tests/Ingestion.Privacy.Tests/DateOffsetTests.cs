namespace Ingestion.Privacy.Tests;

public class DateOffsetTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(365)]
    [InlineData(3650)]
    public void Offsets_always_go_back_between_1_and_N_days(int maxShiftDays)
    {
        var deid = TestKeys.Deidentifier(maxShiftDays: maxShiftDays);
        for (var i = 0; i < 50_000; i++)
        {
            var offset = deid.DateOffsetDays($"p{i}");
            Assert.InRange(offset, -maxShiftDays, -1);
        }
    }

    [Fact]
    public void Offsets_are_roughly_uniform_over_every_value()
    {
        const int n = 365, samples = 365_000;
        var deid = TestKeys.Deidentifier(maxShiftDays: n);
        var counts = new int[n];
        for (var i = 0; i < samples; i++) counts[-deid.DateOffsetDays($"patient/{i}") - 1]++;

        // Chi-square over the 365 possible offsets (364 degrees of freedom): mean 364, sd ≈ 27; 500 is p < 1e-5.
        const double expected = (double)samples / n;
        var chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.InRange(chiSquare, 240, 500);
    }

    [Fact]
    public void An_event_dated_at_the_export_instant_is_shifted_into_the_past_for_every_patient()
    {
        // Data dated today: with ±N offsets most patients would get events up to N days ahead.
        var deid = TestKeys.Deidentifier();
        var now = new DateTime(2026, 12, 6, 5, 0, 0, DateTimeKind.Utc);
        var text = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(deid.ShiftDateTime($"p{i}", text) < now);
            Assert.True(deid.ShiftDate($"p{i}", text[..10]) < DateOnly.FromDateTime(now));
        }
    }

    [Fact]
    public void Invalid_shift_range_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TestKeys.Deidentifier(maxShiftDays: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TestKeys.Deidentifier(maxShiftDays: 3651));
    }
}
