using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Testing;

namespace Ingestion.Fhir.Tests.DemoServer;

/// <summary>Checks the generator against the published US Core 6.1.0 StructureDefinitions in ../shared/data.</summary>
public sealed class UsCoreConformanceTests
{
    private sealed record ProfileRules(IReadOnlyList<string> Required, IReadOnlyList<(string Element, string System, string Code)> CodePatterns);

    private static ProfileRules Load(string profile)
    {
        var path = SharedData.PathOf("us-core", "profiles", "6.1.0", $"StructureDefinition-{profile}.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var required = new List<string>();
        var patterns = new List<(string, string, string)>();
        foreach (var element in doc.RootElement.GetProperty("snapshot").GetProperty("element").EnumerateArray())
        {
            var id = element.GetProperty("id").GetString()!;
            var elementPath = element.GetProperty("path").GetString()!;
            // Top-level elements only, not slices: "Observation.status", "Observation.effective[x]".
            if (id.Contains(':') || elementPath.Count(c => c == '.') != 1) continue;
            var name = elementPath[(elementPath.IndexOf('.') + 1)..];
            if (element.TryGetProperty("min", out var min) && min.GetInt32() >= 1) required.Add(name);
            if (element.TryGetProperty("patternCodeableConcept", out var pattern) && pattern.TryGetProperty("coding", out var codings))
                foreach (var coding in codings.EnumerateArray())
                    patterns.Add((name, coding.GetProperty("system").GetString()!, coding.GetProperty("code").GetString()!));
        }
        return new ProfileRules(required, patterns);
    }

    private static bool Has(JsonElement resource, string element) => element.EndsWith("[x]", StringComparison.Ordinal)
        ? resource.EnumerateObject().Any(p => p.Name.StartsWith(element[..^3], StringComparison.Ordinal) && p.Name.Length > element.Length - 3)
        : resource.TryGetProperty(element, out _);

    [Fact]
    [Trait("Category", TestCategories.Conformance)]
    public void Valid_generated_resources_have_every_required_element_and_fixed_code_of_their_us_core_profile()
    {
        var rules = new Dictionary<string, ProfileRules>(StringComparer.Ordinal);
        var checkedPerProfile = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in new SyntheticPatientGenerator(150, 21, 0).Generate())
        {
            using var doc = JsonDocument.Parse(record.NdjsonLine);
            var root = doc.RootElement;
            var canonical = root.GetProperty("meta").GetProperty("profile")[0].GetString()!;
            var profile = canonical[(canonical.LastIndexOf('/') + 1)..canonical.IndexOf('|')];
            if (!rules.TryGetValue(profile, out var rule)) rules[profile] = rule = Load(profile);
            checkedPerProfile[profile] = checkedPerProfile.GetValueOrDefault(profile) + 1;

            foreach (var element in rule.Required)
                Assert.True(Has(root, element), $"{profile}: a generated {record.ResourceType} lacks required element {element}");
            foreach (var (element, system, code) in rule.CodePatterns)
            {
                var codings = root.GetProperty(element).ValueKind == JsonValueKind.Array
                    ? root.GetProperty(element).EnumerateArray().SelectMany(c => c.GetProperty("coding").EnumerateArray())
                    : root.GetProperty(element).GetProperty("coding").EnumerateArray();
                Assert.True(codings.Any(c => c.GetProperty("system").GetString() == system && c.GetProperty("code").GetString() == code),
                    $"{profile}: {element} lacks the fixed coding {system}|{code}");
            }
        }
        // Every profile the generator claims was checked, and there are many of them.
        Assert.True(checkedPerProfile.Count >= 18, $"profiles seen: {string.Join(", ", checkedPerProfile.Keys)}");
    }
}
