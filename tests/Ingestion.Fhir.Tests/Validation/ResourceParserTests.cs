using System.Text;
using Ingestion.Fhir.Validation;

namespace Ingestion.Fhir.Tests.Validation;

public sealed class ResourceParserTests
{
    private const string Secret = "Jane-Secret-Doe";

    [Fact]
    public void Parses_a_resource_line_into_its_type_id_and_document()
    {
        var result = ResourceParser.Parse("""{"resourceType":"Patient","id":"p1","name":[{"family":"X"}]}""");
        Assert.True(result.Succeeded);
        using var document = result.Document!;
        Assert.Equal("Patient", result.ResourceType);
        Assert.Equal("p1", result.Id);
        Assert.Equal("X", document.RootElement.GetProperty("name")[0].GetProperty("family").GetString());
    }

    [Fact]
    public async Task A_line_from_the_reader_parses_as_its_bytes_do_and_a_line_made_elsewhere_is_still_checked_for_utf8()
    {
        var good = Encoding.UTF8.GetBytes("""{"resourceType":"Patient","id":"p1","name":[{"family":"Zoë"}]}""");
        await using var stream = new MemoryStream(good.Concat("\n"u8.ToArray()).ToArray());
        var read = new List<Ingestion.Fhir.Ndjson.NdjsonLine>();
        await foreach (var line in Ingestion.Fhir.Ndjson.NdjsonReader.ReadAsync(stream, Ingestion.Fhir.Ndjson.NdjsonReaderOptions.Default, CancellationToken.None)) read.Add(line);
        var fromReader = ResourceParser.Parse(Assert.Single(read), ResourceParserOptions.Default);
        var fromBytes = ResourceParser.Parse(good);
        Assert.True(fromReader.Succeeded);
        Assert.Equal((fromBytes.ResourceType, fromBytes.Id), (fromReader.ResourceType, fromReader.Id));
        fromReader.Document!.Dispose();
        fromBytes.Document!.Dispose();

        // Not from the reader: nothing vouches for its bytes, so the parser checks them (a fake source, a test).
        var bad = (byte[])good.Clone();
        bad[Array.IndexOf(bad, (byte)'Z')] = 0xFF;
        var made = ResourceParser.Parse(new Ingestion.Fhir.Ndjson.NdjsonLine(1, bad, null), ResourceParserOptions.Default);
        Assert.Equal(ResourceParser.RuleInvalidUtf8, made.Error?.RuleId);
        Assert.Equal(ResourceParser.Parse(bad).Error, made.Error);
    }

    [Fact]
    public void A_byte_order_mark_before_the_resource_is_accepted()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("{\"resourceType\":\"Patient\"}")).ToArray();
        var result = ResourceParser.Parse(bytes);
        Assert.True(result.Succeeded);
        result.Document!.Dispose();
    }

    [Fact]
    public void Malformed_json_gives_the_byte_offset_and_never_the_content()
    {
        var line = $$"""{"resourceType":"Patient","name":[{"family":"{{Secret}}"}""";
        var result = ResourceParser.Parse(Encoding.UTF8.GetBytes(line));
        Assert.Null(result.Document);
        var error = Assert.IsType<ValidationIssue>(result.Error);
        Assert.Equal(IssueSeverity.Fatal, error.Severity);
        Assert.Equal(ResourceParser.RuleMalformedJson, error.RuleId);
        Assert.Matches(@"byte \d+", error.Message);
        Assert.DoesNotContain(Secret, error.Message);
    }

    [Theory]
    [InlineData("[1,2]", ResourceParser.RuleNotAnObject)]
    [InlineData("\"Patient\"", ResourceParser.RuleNotAnObject)]
    [InlineData("""{"id":"x"}""", ResourceParser.RuleResourceTypeMissing)]
    [InlineData("""{"resourceType":7}""", ResourceParser.RuleResourceTypeMissing)]
    [InlineData("""{"resourceType":"Jane-Secret-Doe"}""", ResourceParser.RuleResourceTypeUnknown)]
    [InlineData("""{"resourceType":"patient"}""", ResourceParser.RuleResourceTypeUnknown)]
    public void Lines_that_are_not_a_known_resource_are_fatal(string line, string ruleId)
    {
        var result = ResourceParser.Parse(line);
        Assert.False(result.Succeeded);
        Assert.Null(result.Document);
        Assert.Equal(ruleId, result.Error!.RuleId);
        Assert.Equal(IssueSeverity.Fatal, result.Error.Severity);
        Assert.DoesNotContain(Secret, result.Error.Message);
    }
}
