using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Testing;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// Duplicate keys are found by the parser's own scan of the accepted bytes (not the runtime's check), so it must miss
/// none, wherever it sits (also across the scan's 64-byte blocks) and whatever else is wrong with the resource; a
/// rejected line reads exactly as before (rule, location, other findings), because any line the scan doubts is read
/// by the strict scanner.
/// </summary>
public sealed class DuplicateKeyTests(ITestOutputHelper output)
{
    private const string Secret = "Jane-Secret-Doe";

    [Theory]
    [InlineData("""{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o1","name":"A","name":"B"}]}""", "Patient.contained[0].name")]
    [InlineData("""{"resourceType":"Patient","extension":[{"url":"u","extension":[{"url":"v","valueString":"a","valueString":"b"}]}]}""", "Patient.extension[0].extension[0].valueString")]
    [InlineData("""{"resourceType":"Patient","birthDate":"1970-01-02","_birthDate":{"extension":[{"url":"u","valueCode":"a"}],"id":"x","id":"y"}}""", "Patient._birthDate.id")]
    [InlineData("""{"resourceType":"Patient","notAnElement":{"deeper":[[{"a":1,"a":2}]]}}""", "Patient.notAnElement.deeper[0][0].a")]
    [InlineData("""{"resourceType":"Patient","gender":["wrong","shape"],"name":[{"family":"A","family":"B"}]}""", "Patient.name[0].family")]
    [InlineData("""{"resourceType":"Not-A-Type","x":1,"x":2}""", "$.x")]
    [InlineData("""{"resourceType":"Patient","resourceType":"Patient"}""", "Patient.resourceType")]
    public void A_duplicate_anywhere_is_fatal_at_its_second_occurrence_whatever_else_the_resource_holds(string json, string location)
    {
        var result = ResourceParser.Parse(json);

        Assert.False(result.Succeeded);
        Assert.Equal(ResourceParser.RuleDuplicateKey, result.Error!.RuleId);
        Assert.Equal(IssueSeverity.Fatal, result.Error.Severity);
        Assert.Equal(location, result.Error.Location);
    }

    [Fact]
    public void A_duplicate_after_more_issues_than_a_validator_reports_is_still_found()
    {
        // The parser decides before (and without) any validation: a walk that stops early cannot hide it.
        var unknown = string.Join(",", Enumerable.Range(0, 2000).Select(i => $"\"unknown{i}\":{{\"x\":[{i}]}}"));
        var result = ResourceParser.Parse($$"""{"resourceType":"Patient",{{unknown}},"gender":"male","gender":"female"}""");

        Assert.Equal(ResourceParser.RuleDuplicateKey, result.Error!.RuleId);
        Assert.Equal("Patient.gender", result.Error.Location);
    }

    [Fact]
    public void A_repeated_object_is_checked_each_time_it_appears()
    {
        const string clean = """{"system":"urn:x","code":"1"}""";
        const string twice = """{"system":"urn:x","code":"1","code":"2"}""";
        var result = ResourceParser.Parse("""{"resourceType":"Observation","code":{"coding":[""" + string.Join(",", clean, clean, twice, clean) + "]}}");

        Assert.Equal(ResourceParser.RuleDuplicateKey, result.Error!.RuleId);
        Assert.Equal("Observation.code.coding[2].code", result.Error.Location);
    }

    [Theory]
    [InlineData(3, 2)]      // both among the names compared one by one
    [InlineData(40, 39)]    // the second past that limit, the first before it
    [InlineData(40, 0)]     // the first and the last of a large object
    [InlineData(70, 50)]    // both past it
    [InlineData(300, 10)]   // more names than the key stack starts with: it grows and keeps them all
    public void Duplicates_in_large_objects_are_found(int properties, int duplicateOf)
    {
        var names = Enumerable.Range(0, properties).Select(i => $"p{i}").ToList();
        names.Add(names[duplicateOf]);
        var result = ResourceParser.Parse("""{"resourceType":"Basic","x":{""" + string.Join(",", names.Select(n => $"\"{n}\":1")) + "}}");

        Assert.Equal(ResourceParser.RuleDuplicateKey, result.Error!.RuleId);
        Assert.Equal($"Basic.x.p{duplicateOf}", result.Error.Location);
    }

    /// <summary>
    /// The scan reads 64 bytes at a time: every name, brace, colon, quote and escape lands on every offset of a block
    /// (a string of growing length in front), and strings holding braces, colons, escaped quotes and backslashes are
    /// never read as structure.
    /// </summary>
    [Fact]
    public void Names_braces_and_escapes_at_every_offset_of_the_scans_blocks_are_read_exactly()
    {
        const string tricky = "\"s\":\"{\\\"q\\\":}\\\\\",\"t\":\"a:{[\"";
        for (var pad = 0; pad < 140; pad++)
        {
            var prefix = "{\"resourceType\":\"Basic\",\"p\":\"" + new string('z', pad) + "\",";
            var clean = ResourceParser.Parse(prefix + tricky + ",\"x\":{\"aa\":1,\"bb\":{\"aa\":2,\"cc\" : [ {\"aa\":3} ]},\"cc\":4}}");
            Assert.True(clean.Succeeded, $"pad {pad}: {clean.Error?.RuleId}");
            clean.Document!.Dispose();

            var repeated = ResourceParser.Parse(prefix + tricky + ",\"x\":{\"aa\":1,\"bb\":{\"aa\":2},\"aa\" :3}}");
            Assert.Equal(ResourceParser.RuleDuplicateKey, repeated.Error?.RuleId);
            Assert.Equal("Basic.x.aa", repeated.Error!.Location);

            var escaped = ResourceParser.Parse(prefix + tricky + ",\"x\":{\"s\\\"q\":1,\"s\\u0022q\":2}}");
            Assert.Equal(ResourceParser.RuleDuplicateKey, escaped.Error?.RuleId);

            var differentEscapes = ResourceParser.Parse(prefix + tricky + ",\"x\":{\"s\\\"q\":1,\"q\":2}}");
            Assert.True(differentEscapes.Succeeded, $"pad {pad}: {differentEscapes.Error?.RuleId}");
            differentEscapes.Document!.Dispose();
        }
    }

    [Fact]
    public void A_large_object_without_duplicates_is_read_in_the_one_pass()
    {
        var result = ResourceParser.Parse("""{"resourceType":"Basic","x":{""" + string.Join(",", Enumerable.Range(0, 500).Select(i => $"\"p{i}\":{{\"a\":{i},\"b\":{i}}}")) + "}}");
        Assert.True(result.Succeeded, result.Error?.Message);
        result.Document!.Dispose();
    }

    [Theory]
    [InlineData("""{"resourceType":"Patient","gen\u0064er":"male","gender":"female"}""", false)]
    [InlineData("""{"resourceType":"Patient","name":[{"\u0066amily":"A","famil\u0079":"B"}]}""", false)]
    [InlineData("""{"resourceType":"Patient","gen\u0064er":"male","name":[{"family":"A\nB"}]}""", true)]
    [InlineData("""{"resourceType":"Patient","a\/b":1,"a/b":2}""", false)]
    public void Names_are_compared_by_what_they_mean_not_how_they_are_written(string json, bool succeeds)
    {
        var result = ResourceParser.Parse(json);
        Assert.Equal(succeeds, result.Succeeded);
        if (succeeds) result.Document!.Dispose();
        else Assert.Equal(ResourceParser.RuleDuplicateKey, result.Error!.RuleId);
    }

    [Fact]
    public void Different_long_names_that_share_their_ends_and_length_are_not_duplicates()
    {
        // Same length, same first and last 8 bytes: the walk may doubt them; the scanner settles it.
        var result = ResourceParser.Parse("""{"resourceType":"Basic","x":{"abcdefgh_1_ijklmnop":1,"abcdefgh_2_ijklmnop":2,"short":3,"shorT":4}}""");
        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Null(result.JsonIssues);
        result.Document!.Dispose();
    }

    [Fact]
    public void A_duplicate_comes_with_the_other_strict_findings_and_no_content()
    {
        var options = new ResourceParserOptions { MaxStringBytes = 8 };
        var result = ResourceParser.Parse(Encoding.UTF8.GetBytes($$"""{"resourceType":"Patient","name":[{"family":"{{Secret}}","family":"B"}]}"""), options);

        Assert.Equal(ResourceParser.RuleDuplicateKey, result.Error!.RuleId);
        Assert.Equal(["Patient.name[0].family json.string-too-long", "Patient.name[0].family json.duplicate-key"], result.JsonIssues!.Select(i => $"{i.Location} {i.RuleId}"));
        Assert.All(result.JsonIssues!, i => Assert.DoesNotContain(Secret, i.Message));
    }

    /// <summary>
    /// Every object of real resources (the first lines of each Synthea file and every US Core example) given a second
    /// copy of one of its properties: rejected as a duplicate at that property, as the runtime's own check (the oracle)
    /// also says; the resources as they are: read in the one pass, as the runtime's check also says.
    /// </summary>
    [Fact]
    [Trait("Category", TestCategories.Conformance)]
    public void Every_object_of_real_resources_with_one_property_repeated_is_rejected_at_that_property()
    {
        var resources = ExampleCorpus.SyntheaLines(perFile: 15)
            .Concat(Directory.GetFiles(SharedData.PathOf("us-core", "examples"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => (File.ReadAllText(f), Path.GetFileName(f))));
        var mutations = 0;
        foreach (var (text, where) in resources)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var clean = ResourceParser.Parse(bytes);
            Assert.True(clean.Succeeded, where);
            clean.Document!.Dispose();
            using var document = ResourceDocument.Parse(bytes, ResourceParserOptions.DefaultMaxDepth);

            for (var target = 0; ; target++)
            {
                if (PropertyRepeater.Repeat(document.RootElement, target) is not { } mutated) break;
                Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(mutated.Json, new JsonDocumentOptions { AllowDuplicateProperties = false }));
                var result = ResourceParser.Parse(mutated.Json);
                Assert.True(result.Error?.RuleId == ResourceParser.RuleDuplicateKey, $"{where}, object {target}: {result.Error?.RuleId ?? "accepted"}");
                Assert.Equal(mutated.Location, result.Error!.Location);
                mutations++;
            }
        }
        output.WriteLine($"{mutations} objects with a repeated property, each rejected at it");
        Assert.True(mutations > 10_000);
    }

    /// <summary>Writes a resource again with the last property of its <c>target</c>-th object (pre-order) repeated.</summary>
    internal sealed class PropertyRepeater
    {
        private readonly int _target;
        private int _seen;
        private string? _location;

        private PropertyRepeater(int target) => _target = target;

        public static (byte[] Json, string Location)? Repeat(ResourceElement root, int target)
        {
            var repeater = new PropertyRepeater(target);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                repeater.Write(writer, root, root.GetProperty("resourceType").GetString()!);
            }
            return repeater._location is null ? null : (buffer.WrittenSpan.ToArray(), repeater._location);
        }

        private void Write(Utf8JsonWriter writer, ResourceElement value, string path)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    var isTarget = value.GetPropertyCount() > 0 && _seen++ == _target;
                    writer.WriteStartObject();
                    ResourceProperty last = default;
                    foreach (var property in value.EnumerateObject())
                    {
                        writer.WritePropertyName(property.Name);
                        Write(writer, property.Value, path + "." + property.Name);
                        last = property;
                    }
                    if (isTarget)
                    {
                        // The scanner names the second occurrence; a resource's root is named by its type.
                        _location = path + "." + last.Name;
                        writer.WritePropertyName(last.Name);
                        last.Value.WriteTo(writer);
                    }
                    writer.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    var i = 0;
                    foreach (var item in value.EnumerateArray()) Write(writer, item, $"{path}[{i++}]");
                    writer.WriteEndArray();
                    break;
                default:
                    value.WriteTo(writer);
                    break;
            }
        }
    }
}
