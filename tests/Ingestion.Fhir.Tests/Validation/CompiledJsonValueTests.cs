using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Xunit;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// A profile's fixed and pattern values, taken apart once, give the verdicts the comparison over both documents gave:
/// every expected value against every instance of a set of objects, arrays, strings (escaped on either side),
/// numbers written differently, booleans and nulls, for pattern (subset) and fixed (exact) semantics.
/// </summary>
public sealed class CompiledJsonValueTests
{
    private static readonly string[] Values =
    [
        """{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}""",
        """{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"Vital Signs"}],"text":"Vital Signs"}""",
        """{"coding":[{"system":"http://loinc.org","code":"8867-4"},{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}""",
        """{"coding":[{"system":"http:\/\/terminology.hl7.org\/CodeSystem\/observation-category","code":"vital\u002dsigns"}]}""",
        """{"coding":[]}""",
        """{"coding":{"code":"vital-signs"}}""",
        """{"system":"http://loinc.org","code":"8867-4"}""",
        """{"code":"8867-4","system":"http://loinc.org"}""",
        """{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}""",
        """{"value":60,"unit":"/min"}""",
        """{"value":60.0,"unit":"/min"}""",
        """{"value":6e1,"unit":"/min"}""",
        """{}""",
        """[{"code":"a"},{"code":"b"}]""",
        """[{"code":"b"},{"code":"a"}]""",
        """[{"code":"a"}]""",
        """[]""",
        "\"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race\"",
        "\"http:\\/\\/hl7.org\\/fhir\\/us\\/core\\/StructureDefinition\\/us-core-race\"",
        "\"vital-signs\"",
        "\"\"",
        "60",
        "60.0",
        "true",
        "false",
        "null",
    ];

    [Fact]
    public void A_pattern_matches_what_the_document_comparison_matched()
    {
        foreach (var (expected, instance) in Pairs())
        {
            Assert.True(OldMatchesPattern(expected.RootElement, instance.RootElement) == new CompiledJsonValue(expected.RootElement).MatchedBy(instance.RootElement),
                $"pattern {expected.RootElement.GetRawText()} on {instance.RootElement.GetRawText()}");
        }
    }

    [Fact]
    public void A_fixed_value_equals_what_the_document_comparison_found_equal()
    {
        foreach (var (expected, instance) in Pairs())
        {
            Assert.True(JsonValues.EqualsExactly(expected.RootElement, instance.RootElement) == new CompiledJsonValue(expected.RootElement).EqualTo(instance.RootElement),
                $"fixed {expected.RootElement.GetRawText()} on {instance.RootElement.GetRawText()}");
        }
    }

    [Fact]
    public void The_comparisons_are_not_all_alike()
    {
        // The corpus holds matches and mismatches of both kinds (the equivalence above would hold for a constant too).
        var pairs = Pairs().ToArray();
        Assert.Contains(pairs, p => new CompiledJsonValue(p.Expected.RootElement).MatchedBy(p.Instance.RootElement) && !new CompiledJsonValue(p.Expected.RootElement).EqualTo(p.Instance.RootElement));
        Assert.Contains(pairs, p => new CompiledJsonValue(p.Expected.RootElement).EqualTo(p.Instance.RootElement) && p.Expected.RootElement.ValueKind == JsonValueKind.Object);
        Assert.Contains(pairs, p => !new CompiledJsonValue(p.Expected.RootElement).MatchedBy(p.Instance.RootElement) && p.Expected.RootElement.ValueKind == JsonValueKind.Object);
    }

    private static IEnumerable<(ResourceDocument Expected, ResourceDocument Instance)> Pairs()
    {
        var documents = Values.Select(v => ResourceDocument.Parse(v)).ToArray();
        foreach (var expected in documents)
        {
            foreach (var instance in documents) yield return (expected, instance);
        }
    }

    /// <summary>The pattern comparison over both documents that the compiled value replaced (the oracle).</summary>
    private static bool OldMatchesPattern(ResourceElement pattern, ResourceElement instance)
    {
        switch (pattern.ValueKind)
        {
            case JsonValueKind.Object:
                if (instance.ValueKind != JsonValueKind.Object) return false;
                foreach (var property in pattern.EnumerateObject())
                {
                    if (!instance.TryGetProperty(property.Utf8Name, out var value) || !OldMatchesPattern(property.Value, value)) return false;
                }
                return true;
            case JsonValueKind.Array:
                if (instance.ValueKind != JsonValueKind.Array) return false;
                foreach (var wanted in pattern.EnumerateArray())
                {
                    if (!instance.EnumerateArray().Any(item => OldMatchesPattern(wanted, item))) return false;
                }
                return true;
            default:
                if (pattern.ValueKind != instance.ValueKind) return false;
                if (pattern.ValueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null) return true;
                if (pattern.ValueKind == JsonValueKind.String) return instance.ValueEquals(PrimitiveFormats.Unquote(pattern.RawUtf8));
                return pattern.RawUtf8.SequenceEqual(instance.RawUtf8);
        }
    }
}
