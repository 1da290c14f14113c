using Ingestion.Fhir.Json;
using System.Globalization;

namespace Ingestion.Omop.Tests;

/// <summary>
/// The mapper's number reading (<see cref="FhirJson.Number(ResourceElement)"/>, parsed in place) gives the double
/// <see cref="ResourceElement.TryGetDouble"/> gives, and null exactly where that one fails.
/// </summary>
public class FhirJsonNumberTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("134.8")]
    [InlineData("1e400")] // out of range: an infinity, as the reader reads it
    [InlineData("-1E+400")]
    [InlineData("1e-400")] // underflows to zero
    [InlineData("123456789012345678901234567890")]
    [InlineData("0.30000000000000004")]
    [InlineData("1.7976931348623157e308")]
    [InlineData("1.7976931348623159e308")]
    [InlineData("4.9e-324")]
    public void A_number_reads_as_the_document_reads_it(string text) => AssertSameAsDocument(text);

    [Fact]
    public void Random_number_texts_read_as_the_document_reads_them()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var scale = Math.Pow(10, random.Next(-330, 300));
            var value = random.NextDouble() * scale * (random.Next(4) == 0 ? -1 : 1);
            AssertSameAsDocument(value.ToString("R", CultureInfo.InvariantCulture));
            AssertSameAsDocument(value.ToString("E" + random.Next(0, 20), CultureInfo.InvariantCulture));
            AssertSameAsDocument(random.NextInt64().ToString(CultureInfo.InvariantCulture) + "." + random.Next(0, 1_000_000).ToString("D" + random.Next(1, 7), CultureInfo.InvariantCulture)
                + (random.Next(3) == 0 ? "e" + random.Next(-330, 330).ToString(CultureInfo.InvariantCulture) : ""));
        }
    }

    [Fact]
    public void A_value_that_is_not_a_number_reads_as_absent()
    {
        using var document = ResourceDocument.Parse("""{"a":"12","b":true,"c":null}""");
        foreach (var property in document.RootElement.EnumerateObject()) Assert.Null(FhirJson.Number(property.Value));
    }

    private static void AssertSameAsDocument(string text)
    {
        using var document = ResourceDocument.Parse(text);
        var number = document.RootElement;
        double? expected = number.TryGetDouble(out var value) ? value : null;
        var actual = FhirJson.Number(number);
        Assert.True(expected.HasValue == actual.HasValue, text);
        if (expected is { } e) Assert.Equal(BitConverter.DoubleToInt64Bits(e), BitConverter.DoubleToInt64Bits(actual!.Value));
    }
}
