using Ingestion.Fhir.Json;
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

    public static TheoryData<string> Versions => new() { "6.1.0", "7.0.0" };

    /// <summary>
    /// 6.1.0: the examples of the profiles the built-in rules cover, checked with the package and the built-in rules.
    /// 7.0.0: the examples of every US Core 7.0.0 profile, checked with the 7.0.0 package (the built-in rules are 6.1.0).
    /// </summary>
    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Every_mutation_of_every_covered_US_Core_example_is_detected_at_its_location_by_both_rule_sources(string version)
    {
        var package = await fixture.For(version);
        var builtIn = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false });
        using var reader = new FhirPackageReader();
        await reader.AddAsync(FhirDefinitionPaths.UsCore(version)[0]);
        var covered = version == "6.1.0"
            ? BuiltInRuleSet.CoveredProfileIds.Select(id => UsCore + id).ToHashSet()
            : reader.Definitions.Profiles.Keys.Where(url => url.StartsWith(UsCore, StringComparison.Ordinal)).ToHashSet();
        var validators = version == "6.1.0" ? new[] { ("package", package), ("built-in", builtIn) } : [("package", package)];

        var missed = new List<string>();
        var counts = new Dictionary<string, int>();
        var profilesMutated = new HashSet<string>();
        foreach (var (file, document) in UsCoreExampleTests.Examples(version))
        {
            using (document)
            {
                var declared = UsCoreExampleTests.DeclaredProfiles(document.RootElement).FirstOrDefault(covered.Contains);
                if (declared is null) continue;
                var profile = reader.Definitions.Profiles[declared];
                foreach (var mutation in MutationCorpus.For(file, document.RootElement, profile, id => validators.All(v => IsEnforced(v.Item2, declared, id))))
                {
                    counts[mutation.Kind] = counts.GetValueOrDefault(mutation.Kind) + 1;
                    profilesMutated.Add(profile.Id);
                    foreach (var (name, validator) in validators)
                    {
                        using var mutated = ResourceDocument.Parse(mutation.Json);
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

    /// <summary>
    /// The expected rule at the expected location. The rule may come from a slice of the element (an item matching
    /// Provenance.agent:ProvenanceAuthor is checked with that slice's rules) or a type slice (value[x]:valueQuantity).
    /// </summary>
    private static bool Matches(ValidationIssue issue, Mutation mutation)
    {
        if (issue.Location != mutation.ExpectedLocation || issue.Severity is not (IssueSeverity.Error or IssueSeverity.Fatal)) return false;
        if (issue.RuleId == mutation.ExpectedRuleId) return true;
        var expectedColon = mutation.ExpectedRuleId.LastIndexOf(':');
        var colon = issue.RuleId.LastIndexOf(':');
        if (colon < 0 || issue.RuleId[colon..] != mutation.ExpectedRuleId[expectedColon..]) return false;
        var element = System.Text.RegularExpressions.Regex.Replace(issue.RuleId[..colon], ":[^.:]+", "");
        return element == mutation.ExpectedRuleId[..expectedColon];
    }

    private static bool IsEnforced(UsCoreValidator validator, string profile, string elementId) =>
        !(validator.UnresolvedBindings.TryGetValue(profile, out var unresolved) && unresolved.Any(u => u.StartsWith(elementId + " ", StringComparison.Ordinal)));
}
