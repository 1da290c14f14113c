namespace Ingestion.Privacy.Tests;

public class PartialAndInvalidDateTests
{
    [Fact]
    public void A_partial_date_lands_inside_its_shifted_period_on_a_day_that_does_not_reveal_the_offset()
    {
        var deid = TestKeys.Deidentifier();
        var anchorsIntoYear = new HashSet<int>();
        for (var p = 0; p < 2000; p++)
        {
            var patient = $"p{p}";
            var offset = deid.DateOffsetDays(patient);

            var year = deid.ShiftDate(patient, "2015")!.Value.AddDays(-offset);
            Assert.Equal(2015, year.Year);
            anchorsIntoYear.Add(year.DayOfYear);

            var month = deid.ShiftDate(patient, "2016-02")!.Value.AddDays(-offset);
            Assert.Equal((2016, 2), (month.Year, month.Month));
        }

        // Were partial dates anchored on day 1, the output minus 1 January would be the offset itself.
        Assert.True(anchorsIntoYear.Count > 300, $"only {anchorsIntoYear.Count} distinct anchor days");
    }

    [Fact]
    public void Partial_dates_of_one_patient_keep_their_order_and_agree_across_resource_types()
    {
        var deid = TestKeys.Deidentifier();
        for (var p = 0; p < 500; p++)
        {
            var patient = $"p{p}";
            Assert.Equal(deid.ShiftDate(patient, "2010-03"), DateOnly.FromDateTime(deid.ShiftDateTime(patient, "2010-03")!.Value));
            Assert.True(deid.ShiftDate(patient, "2010-03") < deid.ShiftDate(patient, "2010-05"));
            Assert.True(deid.ShiftDate(patient, "2010") < deid.ShiftDate(patient, "2012"));
        }
    }

    [Fact]
    public void A_date_without_time_is_midnight_UTC_of_the_shifted_day()
    {
        var deid = TestKeys.Deidentifier();
        var expected = new DateTime(2021, 7, 4, 0, 0, 0, DateTimeKind.Utc).AddDays(deid.DateOffsetDays("p9"));
        Assert.Equal(expected, deid.ShiftDateTime("p9", "2021-07-04"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0000")]
    [InlineData("20")]
    [InlineData("2020-13")]
    [InlineData("2020-00")]
    [InlineData("2019-02-29")]
    [InlineData("2020-04-31")]
    [InlineData("2020/01/01")]
    [InlineData("01-02-2020")]
    [InlineData("2020-01-01T10:00:00")] // a time without a zone is not a FHIR dateTime
    [InlineData("2020-01-01T24:00:00Z")]
    [InlineData("2020-01-01T10:60:00Z")]
    [InlineData("2020-01-01T10:00Z")]
    [InlineData("2020-01-01T10:00:00.Z")]
    [InlineData("2020-01-01T10:00:00+15:00")]
    [InlineData("2020-01-01T10:00:00+14:30")]
    [InlineData("2020-01-01T10:00:00+0100")]
    [InlineData("2020-01-01 10:00:00Z")]
    [InlineData(" 2020-01-01")]
    [InlineData("2020-01-01Z")]
    [InlineData("２０２０")]
    public void Invalid_values_give_null_and_no_exception(string value)
    {
        var deid = TestKeys.Deidentifier();
        Assert.Null(deid.ShiftDate("p1", value));
        Assert.Null(deid.ShiftDateTime("p1", value));
    }

    [Theory]
    [InlineData("2020-01-01T10:00:00Z", "2020-01-01T10:00:00")]
    [InlineData("2020-01-01T10:00:00.1234567891+01:00", "2020-01-01T09:00:00.1234567")]
    [InlineData("2020-01-01T01:00:00+14:00", "2019-12-31T11:00:00")]
    [InlineData("2019-12-31T23:30:00-13:59", "2020-01-01T13:29:00")]
    [InlineData("2016-12-31T23:59:60Z", "2016-12-31T23:59:59")] // leap second
    public void Zones_are_converted_to_UTC_before_shifting(string value, string utc)
    {
        var deid = TestKeys.Deidentifier();
        var expected = DateTime.SpecifyKind(DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);
        Assert.Equal(expected.AddDays(deid.DateOffsetDays("p1")), deid.ShiftDateTime("p1", value));
    }

    [Fact]
    public void Dates_that_would_shift_outside_the_calendar_give_null()
    {
        var deid = TestKeys.Deidentifier();
        Assert.Null(deid.ShiftDate("p1", "0001-01-01"));
        Assert.Null(deid.ShiftDateTime("p1", "0001-01-01T12:00:00Z"));
    }

    [Fact]
    public void Strict_Safe_Harbor_reduces_every_date_to_1_January_of_its_true_UTC_year()
    {
        var deid = TestKeys.Deidentifier(strict: true);
        Assert.Equal(new DateOnly(2021, 1, 1), deid.ShiftDate("p1", "2021-07-04"));
        Assert.Equal(new DateOnly(2021, 1, 1), deid.ShiftDate("p1", "2021"));
        Assert.Equal(new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc), deid.ShiftDateTime("p1", "2021-12-31T23:00:00-05:00"));
        Assert.Null(deid.ShiftDate("p1", "2021-02-30"));
    }
}
