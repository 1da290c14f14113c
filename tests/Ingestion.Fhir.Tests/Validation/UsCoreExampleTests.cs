using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Testing;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Validation;

[Collection(PackageValidatorCollection.Name)]
[Trait("Category", TestCategories.Conformance)]
public sealed class UsCoreExampleTests(PackageValidatorFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<string> Versions => new() { "6.1.0", "7.0.0" };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Every_US_Core_example_has_zero_errors_against_the_profile_it_declares(string version)
    {
        var validator = await fixture.For(version);
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var (file, resource) in Examples(version))
        {
            using (resource)
            {
                // Profiles of other IGs (SDC questionnaires) are not in the US Core package: those examples are out of scope.
                var declared = DeclaredProfiles(resource.RootElement).Where(p => p.StartsWith("http://hl7.org/fhir/us/core/", StringComparison.Ordinal)).ToList();
                if (declared.Count == 0) continue;
                Assert.All(declared, url => Assert.True(validator.HasProfile(url), $"{file}: profile {url} not compiled"));
                checkedCount++;
                var result = validator.Validate(resource.RootElement);
                foreach (var issue in result.Issues.Where(i => i.Severity is IssueSeverity.Error or IssueSeverity.Fatal))
                    failures.Add($"{file}: {issue.Location} {issue.RuleId} {issue.Message}");
            }
        }
        output.WriteLine($"{checkedCount} examples with a declared profile checked");
        Assert.True(checkedCount > 100, $"only {checkedCount} examples declare a profile");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static readonly Dictionary<string, string> BuiltInVersionDifferences = new(StringComparer.Ordinal)
    {
        ["Observation-some-day-smoker.json"] = "US Core 7.0.0 smoking status allows effectivePeriod; 6.1.0 allows effectiveDateTime only",
    };

    [Theory]
    [MemberData(nameof(Versions))]
    public void Built_in_rules_accept_every_example_of_a_profile_they_cover(string version)
    {
        var validator = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false });
        var covered = BuiltInRuleSet.CoveredProfileIds.Select(id => "http://hl7.org/fhir/us/core/StructureDefinition/" + id).ToHashSet();
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var (file, resource) in Examples(version))
        {
            using (resource)
            {
                if (!DeclaredProfiles(resource.RootElement).Any(covered.Contains)) continue;
                // The built-in rules are US Core 6.1.0: a 7.0.0 example using what only 7.0.0 allows is not a miss.
                if (version == "7.0.0" && BuiltInVersionDifferences.ContainsKey(file)) continue;
                checkedCount++;
                foreach (var issue in validator.Validate(resource.RootElement).Issues.Where(i => i.Severity is IssueSeverity.Error or IssueSeverity.Fatal))
                    failures.Add($"{file}: {issue.Location} {issue.RuleId} {issue.Message}");
            }
        }
        output.WriteLine($"{checkedCount} examples of covered profiles checked with the built-in rules");
        Assert.True(checkedCount > 80, $"only {checkedCount} examples of covered profiles");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    internal static IEnumerable<(string File, ResourceDocument Resource)> Examples(string version)
    {
        foreach (var file in Directory.EnumerateFiles(SharedData.PathOf("us-core", "examples", version), "*.json").Order(StringComparer.Ordinal))
        {
            var document = ResourceDocument.Parse(File.ReadAllBytes(file));
            if (document.RootElement.GetProperty("resourceType").GetString() == "Bundle")
            {
                // Bundle examples are validated through their entries (each entry declares its own profile).
                foreach (var entry in document.RootElement.TryGetProperty("entry", out var entries) ? entries.EnumerateArray() : default)
                {
                    if (entry.TryGetProperty("resource", out var inner))
                        yield return ($"{Path.GetFileName(file)}#{inner.GetProperty("resourceType").GetString()}", ResourceDocument.Parse(inner.GetRawText()));
                }
                document.Dispose();
                continue;
            }
            yield return (Path.GetFileName(file), document);
        }
    }

    internal static List<string> DeclaredProfiles(ResourceElement resource) =>
        resource.TryGetProperty("meta", out var meta) && meta.TryGetProperty("profile", out var profiles)
            ? profiles.EnumerateArray().Select(p => DefinitionSet.StripVersion(p.GetString()!)).ToList()
            : [];
}
