namespace Ingestion.Privacy.Tests;

/// <summary>Reference date in these tests: 2026-06-15, so the aggregated "90 or older" birth year is 1936.</summary>
public class BirthTests
{
    private static readonly ShiftedBirth Aggregated = new(1936, null, null, null);

    [Theory]
    [InlineData("1936-06-15")] // turns 90 on the reference date
    [InlineData("1920-01-01")]
    [InlineData("1890-07-04")]
    [InlineData("1930")]
    [InlineData("1936-06")] // could have been born on 1 June 1936: 90
    public void Patients_who_are_or_may_be_90_or_older_get_only_the_aggregated_birth_year(string birthDate)
    {
        foreach (var strict in new[] { false, true })
        {
            var deid = TestKeys.Deidentifier(strict: strict);
            for (var p = 0; p < 200; p++) Assert.Equal(Aggregated, deid.ShiftBirth($"p{p}", birthDate));
        }
    }

    [Fact]
    public void No_output_implies_an_age_of_90_or_more_even_when_the_shift_moves_birth_earlier()
    {
        var deid = TestKeys.Deidentifier();
        var reference = TestKeys.Reference;
        var random = new Random(5);
        for (var p = 0; p < 20_000; p++)
        {
            // True ages 88 to 91: the band where a shift of up to a year could cross 90.
            var birth = reference.AddDays(-random.Next(88 * 365, 91 * 366));
            var output = deid.ShiftBirth($"p{p}", birth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            if (output == Aggregated) continue;
            var earliest = new DateOnly(output.YearOfBirth!.Value, output.MonthOfBirth ?? 1, output.DayOfBirth ?? 1);
            Assert.True(earliest.AddYears(90) > reference, $"patient {p}: output implies 90 or older");
        }
    }

    [Fact]
    public void A_patient_under_90_keeps_the_shifted_full_birth_date()
    {
        var deid = TestKeys.Deidentifier();
        var offset = deid.DateOffsetDays("p1");
        var shifted = new DateOnly(1980, 5, 17).AddDays(offset);
        Assert.Equal(
            new ShiftedBirth(shifted.Year, shifted.Month, shifted.Day, shifted.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
            deid.ShiftBirth("p1", "1980-05-17"));
    }

    [Fact]
    public void Aggregation_can_be_turned_off()
    {
        var deid = TestKeys.Deidentifier(aggregate: false);
        var birth = deid.ShiftBirth("p1", "1920-01-01");
        Assert.NotNull(birth.DayOfBirth);
        Assert.InRange(birth.YearOfBirth!.Value, 1918, 1921);
    }

    [Fact]
    public void Strict_Safe_Harbor_keeps_only_the_true_birth_year()
    {
        var deid = TestKeys.Deidentifier(strict: true);
        Assert.Equal(new ShiftedBirth(1980, null, null, null), deid.ShiftBirth("p1", "1980-12-31"));
        Assert.Equal(new ShiftedBirth(1980, null, null, null), deid.ShiftBirth("p1", "1980-12"));
    }

    [Fact]
    public void Partial_birth_dates_keep_only_the_precision_they_had()
    {
        var deid = TestKeys.Deidentifier();
        var year = deid.ShiftBirth("p1", "1980");
        Assert.NotNull(year.YearOfBirth);
        Assert.Null(year.MonthOfBirth);
        Assert.Null(year.DayOfBirth);
        Assert.Null(year.BirthDateTime);
        var month = deid.ShiftBirth("p1", "1980-05");
        Assert.NotNull(month.MonthOfBirth);
        Assert.Null(month.DayOfBirth);
        Assert.Null(month.BirthDateTime);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1980-02-30")]
    [InlineData("unknown")]
    public void An_invalid_birth_date_gives_no_birth_fields(string birthDate)
    {
        Assert.Equal(new ShiftedBirth(null, null, null, null), TestKeys.Deidentifier().ShiftBirth("p1", birthDate));
    }
}
