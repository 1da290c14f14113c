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
