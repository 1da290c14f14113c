using Ingestion.Fhir.Json;
using System.Globalization;
using System.Text.Json;

namespace Ingestion.Omop.Tests;

/// <summary>
/// A value's source text (<see cref="RoundTripNumber"/>) is always what <c>double.ToString("R")</c> writes for the
/// number's double, whether taken from the JSON text or formatted.
/// </summary>
public class RoundTripNumberTests
{
    [Theory]
    [InlineData("134.8", true)]
    [InlineData("2", true)]
    [InlineData("0", true)]
    [InlineData("-0", true)]
    [InlineData("0.25", true)]
    [InlineData("-87.498", true)]
    [InlineData("0.0001", true)]
    [InlineData("123456789012345", true)]
    [InlineData("1.23456789012345", true)]
    [InlineData("134.80", false)] // a trailing zero
    [InlineData("2.0", false)]
    [InlineData("007", false)] // not JSON, but never taken as it stands
    [InlineData("0.00001", false)] // "R" writes 1E-05
    [InlineData("1000000000000000", false)] // "R" writes 1E+15
    [InlineData("1.234567890123456", false)] // 16 significant digits
    [InlineData("0.30000000000000004", false)]
    [InlineData("1e2", false)]
    [InlineData("1E+2", false)]
    [InlineData("-", false)]
    [InlineData("1.", false)]
    public void Json_text_is_taken_only_in_the_form_R_writes(string text, bool taken)
    {
        Assert.Equal(taken, RoundTripNumber.IsRoundTripForm(System.Text.Encoding.ASCII.GetBytes(text)));
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && taken)
            Assert.Equal(value.ToString("R", CultureInfo.InvariantCulture), text);
    }

    [Fact]
    public void Every_number_text_gives_the_R_text_of_its_double()
    {
        var random = new Random(19);
        var texts = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            var scale = Math.Pow(10, random.Next(-8, 18));
            var value = Math.Round(random.NextDouble() * scale, random.Next(0, 8)) * (random.Next(4) == 0 ? -1 : 1);
            texts.Add(value.ToString("R", CultureInfo.InvariantCulture));
            texts.Add(value.ToString("F" + random.Next(0, 6), CultureInfo.InvariantCulture));
            texts.Add(value.ToString("G17", CultureInfo.InvariantCulture));
            texts.Add(value.ToString("E" + random.Next(0, 6), CultureInfo.InvariantCulture));
            texts.Add(random.Next(0, 100_000).ToString(CultureInfo.InvariantCulture) + "." + random.Next(0, 10_000).ToString("D" + random.Next(1, 6), CultureInfo.InvariantCulture));
        }
        var taken = 0;
        foreach (var text in texts)
        {
            using var document = ResourceDocument.Parse(text);
            var number = document.RootElement;
            var value = number.GetDouble();
            Assert.Equal(value.ToString("R", CultureInfo.InvariantCulture), RoundTripNumber.Text(number, value));
            if (RoundTripNumber.IsRoundTripForm(System.Text.Encoding.ASCII.GetBytes(text))) taken++;
        }
        // Both ways are exercised.
        Assert.InRange(taken, texts.Count / 10, texts.Count - texts.Count / 10);
    }
}
