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

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
