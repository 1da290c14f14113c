using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation;

namespace Ingestion.Fhir.Tests.Validation;

public sealed class PrimitiveFormatsTests
{
    [Theory]
    [InlineData(PrimitiveKind.Date, "\"2020\"")]
    [InlineData(PrimitiveKind.Date, "\"2020-02\"")]
    [InlineData(PrimitiveKind.Date, "\"2020-02-29\"")]
    [InlineData(PrimitiveKind.DateTime, "\"2020-02-29T13:45:00Z\"")]
    [InlineData(PrimitiveKind.DateTime, "\"2020-02-29T13:45:00.123+05:30\"")]
    [InlineData(PrimitiveKind.DateTime, "\"2020-02-29T23:59:60-14:00\"")]
    [InlineData(PrimitiveKind.DateTime, "\"1985\"")]
    [InlineData(PrimitiveKind.Instant, "\"2015-02-07T13:28:17.239+02:00\"")]
    [InlineData(PrimitiveKind.Time, "\"08:30:00\"")]
    [InlineData(PrimitiveKind.Id, "\"a-Z.9\"")]
    [InlineData(PrimitiveKind.Code, "\"final\"")]
    [InlineData(PrimitiveKind.Code, "\"two words\"")]
    [InlineData(PrimitiveKind.Uri, "\"http://loinc.org\"")]
    [InlineData(PrimitiveKind.Canonical, "\"http://hl7.org/fhir/ValueSet/x|1.0\"")]
    [InlineData(PrimitiveKind.Oid, "\"urn:oid:2.16.840.1.113883\"")]
    [InlineData(PrimitiveKind.Uuid, "\"urn:uuid:c757873d-ec9a-4326-a141-556f43239520\"")]
    [InlineData(PrimitiveKind.Base64Binary, "\"aGVsbG8=\"")]
    [InlineData(PrimitiveKind.Boolean, "true")]
    [InlineData(PrimitiveKind.Decimal, "-0.50")]
    [InlineData(PrimitiveKind.Decimal, "1e3")]
    [InlineData(PrimitiveKind.Integer, "-12")]
    [InlineData(PrimitiveKind.PositiveInt, "1")]
    [InlineData(PrimitiveKind.UnsignedInt, "0")]
    [InlineData(PrimitiveKind.String, "\"caf\\u00e9\"")]
    public void Valid_values_pass(PrimitiveKind kind, string json) =>
        Assert.Equal(PrimitiveCheck.Valid, PrimitiveFormats.Check(kind, Parse(json)));

    [Theory]
    [InlineData(PrimitiveKind.Date, "\"2020-13\"")]
    [InlineData(PrimitiveKind.Date, "\"2020-02-32\"")]
    [InlineData(PrimitiveKind.Date, "\"0000\"")]
    [InlineData(PrimitiveKind.Date, "\"20-01-01\"")]
    [InlineData(PrimitiveKind.Date, "\"2020-01-01T00:00:00Z\"")]
    [InlineData(PrimitiveKind.DateTime, "\"2020-01-01T10:00:00\"")]
    [InlineData(PrimitiveKind.DateTime, "\"2020-01T10:00:00Z\"")]
    [InlineData(PrimitiveKind.DateTime, "\"2020-01-01T24:00:00Z\"")]
    [InlineData(PrimitiveKind.DateTime, "\"2020-01-01T10:00:00+14:30\"")]
    [InlineData(PrimitiveKind.DateTime, "\"2020-01-01 10:00:00Z\"")]
    [InlineData(PrimitiveKind.Instant, "\"2020-01-01\"")]
    [InlineData(PrimitiveKind.Time, "\"8:30\"")]
    [InlineData(PrimitiveKind.Time, "\"08:30:00Z\"")]
    [InlineData(PrimitiveKind.Id, "\"has space\"")]
    [InlineData(PrimitiveKind.Id, "\"a_b\"")]
    [InlineData(PrimitiveKind.Id, "\"12345678901234567890123456789012345678901234567890123456789012345\"")]
    [InlineData(PrimitiveKind.Code, "\" leading\"")]
    [InlineData(PrimitiveKind.Code, "\"double  space\"")]
    [InlineData(PrimitiveKind.Uri, "\"has space\"")]
    [InlineData(PrimitiveKind.Uri, "\"\"")]
    [InlineData(PrimitiveKind.Oid, "\"urn:oid:3.1\"")]
    [InlineData(PrimitiveKind.Oid, "\"urn:oid:1.02\"")]
    [InlineData(PrimitiveKind.Uuid, "\"urn:uuid:C757873D-EC9A-4326-A141-556F43239520\"")]
    [InlineData(PrimitiveKind.Base64Binary, "\"abc\"")]
    [InlineData(PrimitiveKind.Base64Binary, "\"ab*=\"")]
    [InlineData(PrimitiveKind.Integer, "1.5")]
    [InlineData(PrimitiveKind.Integer, "3000000000")]
    [InlineData(PrimitiveKind.PositiveInt, "0")]
    [InlineData(PrimitiveKind.UnsignedInt, "-1")]
    [InlineData(PrimitiveKind.String, "\"\"")]
    public void Values_outside_the_lexical_space_are_invalid(PrimitiveKind kind, string json) =>
        Assert.Equal(PrimitiveCheck.InvalidFormat, PrimitiveFormats.Check(kind, Parse(json)));

    [Theory]
    [InlineData(PrimitiveKind.Boolean, "\"true\"")]
    [InlineData(PrimitiveKind.Decimal, "\"1.0\"")]
    [InlineData(PrimitiveKind.Integer, "\"1\"")]
    [InlineData(PrimitiveKind.String, "12")]
    [InlineData(PrimitiveKind.Date, "20200101")]
    [InlineData(PrimitiveKind.Code, "{}")]
    [InlineData(PrimitiveKind.None, "\"x\"")]
    public void Wrong_json_token_kinds_are_reported_as_such(PrimitiveKind kind, string json) =>
        Assert.Equal(PrimitiveCheck.WrongJsonType, PrimitiveFormats.Check(kind, Parse(json)));

    /// <summary>
    /// The vectorized checks of id, code and uri (SearchValues) answer as the byte-by-byte definitions do, on random
    /// texts over an alphabet of allowed, forbidden, whitespace and non-ASCII bytes, at lengths around the vector
    /// widths and the id limit of 64.
    /// </summary>
    [Fact]
    public void Vectorized_id_code_and_uri_checks_answer_as_the_byte_loops_do()
    {
        var alphabet = "aZ09-._ \t\r\n\f/:#|*"u8.ToArray().Concat(new byte[] { 0x7F, 0x80, 0xC3, 0xA9, 0x00 }).ToArray();
        var random = new Random(19);
        var checkedTexts = 0;
        for (var length = 0; length <= 140; length++)
        {
            for (var sample = 0; sample < 300; sample++)
            {
                var text = new byte[length];
                // Mostly allowed bytes with the odd other one, so long valid runs and late rejections both occur.
                for (var i = 0; i < length; i++) text[i] = random.Next(8) == 0 ? alphabet[random.Next(alphabet.Length)] : alphabet[random.Next(5)];
                Assert.True(ScalarId(text) == PrimitiveFormats.IsValidText(PrimitiveKind.Id, text), $"id, length {length}");
                Assert.True(ScalarCode(text) == PrimitiveFormats.IsValidText(PrimitiveKind.Code, text), $"code, length {length}");
                foreach (var uri in new[] { PrimitiveKind.Uri, PrimitiveKind.Url, PrimitiveKind.Canonical })
                    Assert.True((text.Length > 0 && !ScalarContainsWhitespace(text)) == PrimitiveFormats.IsValidText(uri, text), $"{uri}, length {length}");
                checkedTexts++;
            }
        }
        Assert.Equal(141 * 300, checkedTexts);
    }

    private static bool ScalarIsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static bool ScalarContainsWhitespace(ReadOnlySpan<byte> s)
    {
        foreach (var b in s) if (ScalarIsWhitespace(b)) return true;
        return false;
    }

    private static bool ScalarId(ReadOnlySpan<byte> s)
    {
        if (s.Length is < 1 or > 64) return false;
        foreach (var b in s)
        {
            if (!(b is >= (byte)'0' and <= (byte)'9' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or (byte)'-' or (byte)'.')) return false;
        }
        return true;
    }

    private static bool ScalarCode(ReadOnlySpan<byte> s)
    {
        if (s.Length == 0 || ScalarIsWhitespace(s[0]) || ScalarIsWhitespace(s[^1])) return false;
        for (var i = 1; i < s.Length; i++)
        {
            if (ScalarIsWhitespace(s[i]) && ScalarIsWhitespace(s[i - 1])) return false;
        }
        return true;
    }

    private static ResourceElement Parse(string json)
    {
        using var document = ResourceDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
