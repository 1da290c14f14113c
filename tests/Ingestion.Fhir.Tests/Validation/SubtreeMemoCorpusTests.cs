using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// The clean-subtree memo over real data: every Synthea 100-patient line (in file order, one validator for all, as a
/// pipeline worker sees them) and every US Core and R4 spec example gives the same usability and the same issues in
/// the same order with the memo as without it, with the built-in rules (with and without must-support reporting, which
/// makes objects dirty) and the US Core 6.1.0 package rules.
/// </summary>
[Collection(PackageValidatorCollection.Name)]
[Trait("Category", TestCategories.Conformance)]
public sealed class SubtreeMemoCorpusTests(PackageValidatorFixture fixture, ITestOutputHelper output)
{
    public static string Describe(ValidationIssue issue) =>
        $"{issue.Severity} {issue.Code} {issue.Location} [{issue.RuleId}] {issue.Profile} {issue.Message}";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Built_in_rules_give_the_same_issues_with_and_without_the_memo(bool reportMustSupport)
    {
        var options = new UsCoreValidatorOptions { ReportMustSupport = reportMustSupport };
        Compare(UsCoreValidator.CreateBuiltIn(options), UsCoreValidator.CreateBuiltIn(options with { RememberCleanSubtrees = false }));
    }

    [Fact]
    public async Task Package_rules_give_the_same_issues_with_and_without_the_memo()
    {
        var without = await UsCoreValidator.FromPackagesAsync(FhirDefinitionPaths.UsCore("6.1.0"), new UsCoreValidatorOptions { ReportMustSupport = false, RememberCleanSubtrees = false });
        Compare(await fixture.For("6.1.0"), without);
    }

    private void Compare(UsCoreValidator with, UsCoreValidator without)
    {
        var resources = 0;
        var issues = 0;
        foreach (var (text, where) in ExampleCorpus.SyntheaLines().Concat(ExampleCorpus.ExampleFiles().Select(f => (File.ReadAllText(f), Path.GetFileName(f)))))
        {
            using var document = ResourceDocument.Parse(text);
            var expected = without.Validate(document.RootElement);
            var actual = with.Validate(document.RootElement);
            Assert.True(actual.Usable == expected.Usable, where);
            Assert.True(actual.Issues.Select(Describe).SequenceEqual(expected.Issues.Select(Describe)), $"{where}: different issues with the memo");
            resources++;
            issues += expected.Issues.Count;
        }
        var (lookups, hits) = with.SubtreeMemoStatistics();
        output.WriteLine($"{resources} resources, {issues} issues, memo: {lookups} lookups, {hits} hits");
        Assert.True(hits > lookups / 4, "Synthea repeats most of its objects");
    }
}
