using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;
using Ingestion.Testing;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// An object's names read once (<see cref="FhirPathObjectIndex"/>) answer every lookup as the JSON does: indexed only
/// when every name is plain (<see cref="JsonProperties.IsPlain"/>), the shape flags the walk takes from it, and
/// <see cref="FhirPathObjectIndex.TryGet"/> and <see cref="FhirPathObjectIndex.Find"/> (which answer an absent name
/// from the name signature without a scan) against the document's own lookups, for present and absent names.
/// </summary>
[Trait("Category", TestCategories.Conformance)]
public sealed class FhirPathObjectIndexTests(ITestOutputHelper output)
{
    private static readonly string[] AbsentProbes = ["meta", "contained", "component", "subject", "value", "id", "", "resourceType", "extension"];

    [Theory]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"}}""")]
    [InlineData("""{"resourceType":"Observation","st\u0061tus":"final","code":{"text":"x"}}""")] // escaped: not indexed
    [InlineData("""{"resourceType":"Observation","statüs":"final","code":{"text":"x"}}""")] // non-ASCII: not indexed
    [InlineData("""{"a\\b":1,"id":"x"}""")] // an escaped backslash
    [InlineData("""{"status":"final","status":"amended","_status":{"id":"s"},"_status":{"id":"t"}}""")] // repeats: the last
    [InlineData("""{"_contained":[{"id":"c"}],"id":"x"}""")]
    [InlineData("""{"contained":[],"_id":{"id":"i"},"":"empty name"}""")]
    [InlineData("""{}""")]
    public void Crafted_objects_are_answered_as_the_JSON_answers(string json)
    {
        using var document = ResourceDocument.Parse(json);
        var index = new FhirPathObjectIndex();
        var (objects, lookups) = CheckObject(index, document.RootElement);
        Assert.Equal(1, objects);
        Assert.True(lookups > 0 || !index.Usable);
    }

    [Fact]
    public void A_long_object_grows_the_index_and_answers_as_the_JSON()
    {
        // More members and name bytes than the index first holds (16 names, 256 bytes), the object read twice.
        var members = Enumerable.Range(0, 40).Select(i => $"\"element{i}WithALongerName\":{i}");
        using var document = ResourceDocument.Parse("{" + string.Join(',', members) + "}");
        var index = new FhirPathObjectIndex();
        for (var pass = 0; pass < 2; pass++)
        {
            CheckObject(index, document.RootElement);
            Assert.Equal(40, index.Count);
        }
    }

    [Fact]
    public void Every_object_of_Synthea_and_the_examples_is_answered_as_the_JSON_answers()
    {
        var index = new FhirPathObjectIndex();
        long objects = 0, lookups = 0, resources = 0;
        void Walk(ResourceElement value)
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in value.EnumerateArray()) Walk(item);
                return;
            }
            if (value.ValueKind != JsonValueKind.Object) return;
            var (o, l) = CheckObject(index, value);
            objects += o;
            lookups += l;
            foreach (var property in value.EnumerateObject()) Walk(property.Value);
        }
        foreach (var (text, _) in ExampleCorpus.SyntheaLines())
        {
            using var document = ResourceDocument.Parse(text);
            Walk(document.RootElement);
            resources++;
        }
        foreach (var file in ExampleCorpus.ExampleFiles())
        {
            using var document = ResourceDocument.Parse(File.ReadAllBytes(file));
            Walk(document.RootElement);
            resources++;
        }
        output.WriteLine($"{resources} resources, {objects} objects, {lookups} lookups compared");
        Assert.True(resources > 38_000, $"only {resources} resources");
    }

    /// <summary>Builds the index over <paramref name="obj"/> and compares it with the JSON; returns (1, lookups compared).</summary>
    private static (int Objects, int Lookups) CheckObject(FhirPathObjectIndex index, ResourceElement obj)
    {
        index.Build(obj);
        var names = new List<string>();
        bool plain = true, shadows = false, contained = false;
        var count = 0;
        foreach (var property in obj.EnumerateObject())
        {
            count++;
            var raw = property.Utf8Name;
            plain &= JsonProperties.IsPlain(raw);
            var name = property.Name;
            names.Add(name);
            if (raw.Length > 1 && raw[0] == (byte)'_') shadows = true;
            if (name is "contained" or "_contained") contained = true;
        }
        Assert.Equal(plain, index.Usable);
        if (!plain)
        {
            Assert.Equal(0, index.Count);
            Assert.False(index.HasShadowNames);
            Assert.False(index.HasContainedName);
            return (1, 0);
        }
        Assert.Equal(count, index.Count);
        Assert.Equal(shadows, index.HasShadowNames);
        Assert.Equal(contained, index.HasContainedName);
        var lookups = 0;
        var probes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            probes.Add(name);
            probes.Add(name + "x");
            if (name.Length > 1) probes.Add(name[..^1]);
            if (name.StartsWith('_')) probes.Add(name[1..]);
        }
        probes.UnionWith(AbsentProbes);
        foreach (var probe in probes)
        {
            var found = obj.TryGetProperty(probe, out var expected);
            Assert.Equal(found, index.TryGet(probe, out var indexed));
            Assert.Equal(Text(expected), Text(indexed));
            JsonProperties.Find(obj, probe, "_" + probe, out var value, out var shadow);
            index.Find(probe, "_" + probe, out var indexedValue, out var indexedShadow);
            Assert.Equal(Text(value), Text(indexedValue));
            Assert.Equal(Text(shadow), Text(indexedShadow));
            lookups += 2;
        }
        return (1, lookups);
    }

    private static string? Text(ResourceElement value) => value.ValueKind == JsonValueKind.Undefined ? null : value.GetRawText();
}
