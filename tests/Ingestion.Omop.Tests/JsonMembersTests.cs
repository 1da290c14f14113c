using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop.Tests;

public class JsonMembersTests
{
    [Theory]
    [InlineData("""{"resourceType":"Observation","id":"a","status":"final"}""")]
    [InlineData("""{"resourceType":"Observation","\u0069d":"escaped","st\u0061tus":"final"}""")]
    [InlineData("""{"status":"final","id":"first","intent":1,"status":"amended","id":"last"}""")]
    [InlineData("""{"verificationStatus":{"coding":[]},"other":true,"resourceType":null}""")]
    [InlineData("""{}""")]
    public void A_one_pass_reader_finds_each_member_as_TryGetProperty_does_escaped_names_and_repeats_included(string json)
    {
        using var document = ResourceDocument.Parse(json);
        var resource = document.RootElement;
        var header = JsonMembers.Read<ResourceHeader>(resource);

        AssertSame(resource, "resourceType", header.ResourceType);
        AssertSame(resource, "id", header.Id);
        AssertSame(resource, "status", header.Status);
        AssertSame(resource, "intent", header.Intent);
        AssertSame(resource, "verificationStatus", header.VerificationStatus);
    }

    [Theory]
    [InlineData("""{"resourceType":"Coverage","id":"a"}""")]
    [InlineData("""{"resourceType":"ServiceRequest","id":"a","resourceType":"Coverage"}""")] // repeated: the last
    [InlineData("""{"resourceType":"Coverage","id":"a","r\u0065sourceType":"Other"}""")] // repeated, escaped
    [InlineData("""{"resourceType":"Coverage","note":{"resourceType":"Other"},"text":"resourceType"}""")] // nested, and as a value
    [InlineData("""{"id":"a","resourceType":"Coverage"}""")] // not first
    [InlineData("""{"resourceType":1}""")]
    [InlineData("""{"id":"a"}""")]
    [InlineData("""[]""")]
    public void A_resources_type_read_from_its_first_member_is_the_one_a_full_read_finds(string json)
    {
        using var document = ResourceDocument.Parse(json);
        var resource = document.RootElement;
        var expected = JsonMembers.Read<ResourceHeader>(resource).ResourceType;
        var actual = ResourceHeader.ResourceTypeOf(resource);

        Assert.Equal(expected.ValueKind, actual.ValueKind);
        if (expected.ValueKind != JsonValueKind.Undefined) Assert.Equal(expected.GetRawText(), actual.GetRawText());
    }

    [Fact]
    public void A_value_that_is_not_an_object_reads_as_no_members()
    {
        using var document = ResourceDocument.Parse("""[{"id":"a"}]""");
        var header = JsonMembers.Read<ResourceHeader>(document.RootElement);
        Assert.Equal(JsonValueKind.Undefined, header.Id.ValueKind);
    }

    private static void AssertSame(ResourceElement resource, string name, ResourceElement read)
    {
        var expected = resource.TryGetProperty(name, out var value) ? value.GetRawText() : null;
        Assert.Equal(expected, read.ValueKind == JsonValueKind.Undefined ? null : read.GetRawText());
    }
}
