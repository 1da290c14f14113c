using System.Text.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Testing;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Validation;

[Collection(PackageValidatorCollection.Name)]
[Trait("Category", TestCategories.Conformance)]
public sealed class MutationTests(PackageValidatorFixture fixture, ITestOutputHelper output)
{
    private const string UsCore = "http://hl7.org/fhir/us/core/StructureDefinition/";

    [Fact]
    public async Task Every_mutation_of_every_covered_US_Core_example_is_detected_at_its_location_by_both_rule_sources()
    {
        var package = await fixture.For("6.1.0");
        var builtIn = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false });
        using var reader = new FhirPackageReader();
        await reader.AddAsync(FhirDefinitionPaths.UsCore("6.1.0")[0]);
        var covered = BuiltInRuleSet.CoveredProfileIds.Select(id => UsCore + id).ToHashSet();

        var missed = new List<string>();
        var counts = new Dictionary<string, int>();
        var profilesMutated = new HashSet<string>();
        foreach (var (file, document) in UsCoreExampleTests.Examples("6.1.0"))
        {
            using (document)
            {
                var declared = UsCoreExampleTests.DeclaredProfiles(document.RootElement).FirstOrDefault(covered.Contains);
                if (declared is null) continue;
                var profile = reader.Definitions.Profiles[declared];
                foreach (var mutation in MutationCorpus.For(file, document.RootElement, profile, id => IsEnforced(package, declared, id) && IsEnforced(builtIn, declared, id)))
                {
                    counts[mutation.Kind] = counts.GetValueOrDefault(mutation.Kind) + 1;
                    profilesMutated.Add(profile.Id);
                    foreach (var (name, validator) in new[] { ("package", package), ("built-in", builtIn) })
                    {
                        using var mutated = JsonDocument.Parse(mutation.Json);
                        var result = validator.Validate(mutated.RootElement);
                        if (!result.Issues.Any(i => Matches(i, mutation)))
                            missed.Add($"{name}: {mutation} — got [{string.Join("; ", result.Issues.Where(i => i.Severity <= IssueSeverity.Error).Select(i => $"{i.RuleId}@{i.Location}"))}]");
                    }
                }
            }
        }
        foreach (var (kind, count) in counts.OrderBy(k => k.Key)) output.WriteLine($"{kind}: {count}");
        output.WriteLine($"profiles mutated: {profilesMutated.Count}");
        Assert.True(missed.Count == 0, $"{missed.Count} mutations missed:\n" + string.Join('\n', missed.Take(60)));
        Assert.True(counts.Values.Sum() > 500, $"only {counts.Values.Sum()} mutations");
        foreach (var kind in new[] { "remove-required", "wrong-code", "break-pattern", "break-fixed", "break-slice", "wrong-reference-type", "corrupt-dateTime", "corrupt-code" })
            Assert.True(counts.ContainsKey(kind), $"no {kind} mutation generated");
    }

    /// <summary>The expected rule at the expected location; a type slice of the element (value[x]:valueQuantity) may raise it.</summary>
    private static bool Matches(ValidationIssue issue, Mutation mutation)
    {
        if (issue.Location != mutation.ExpectedLocation || issue.Severity is not (IssueSeverity.Error or IssueSeverity.Fatal)) return false;
        if (issue.RuleId == mutation.ExpectedRuleId) return true;
        var colon = mutation.ExpectedRuleId.LastIndexOf(':');
        var element = mutation.ExpectedRuleId[..colon];
        return element.EndsWith("[x]", StringComparison.Ordinal) && issue.RuleId.StartsWith(element + ":", StringComparison.Ordinal)
            && issue.RuleId.EndsWith(mutation.ExpectedRuleId[colon..], StringComparison.Ordinal);
    }

    private static bool IsEnforced(UsCoreValidator validator, string profile, string elementId) =>
        !(validator.UnresolvedBindings.TryGetValue(profile, out var unresolved) && unresolved.Any(u => u.StartsWith(elementId + " ", StringComparison.Ordinal)));
}
