using System.Text;
using Ingestion.Fhir.Validation;
using Ingestion.Testing;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Validation;

[Collection(PackageValidatorCollection.Name)]
[Trait("Category", TestCategories.Conformance)]
public sealed class SyntheaReportTests(PackageValidatorFixture fixture, ITestOutputHelper output)
{
    /// <summary>
    /// Validates the 100-patient Synthea export against US Core 6.1.0 from the package and prints the run report
    /// (the figures in docs/validation.md). Synthea 2.5.0 predates US Core's Condition category and
    /// smoking-status category slices, so those profiles fail; nothing in the export is unusable.
    /// </summary>
    [Fact]
    public async Task Synthea_100_patient_export_is_usable_and_its_profile_failures_are_reported()
    {
        var (counters, lines) = Validate(await fixture.For("6.1.0"));
        output.WriteLine(counters.ToReport(IssueSeverity.Warning));

        Assert.Equal(38_483, lines);
        Assert.All(counters.Types, t => Assert.Equal(0, t.Unusable));
        var conditions = counters.Types.Single(t => t.ResourceType == "Condition");
        var category = counters.Rules.Single(r => r.ResourceType == "Condition" && r.RuleId == "Condition.category:min");
        Assert.Equal(conditions.Checked, category.Resources);
        Assert.Contains(counters.Rules, r => r.ResourceType == "Observation" && r.RuleId == "Observation.category:SocialHistory:min" && r.Severity == IssueSeverity.Error);
        // Invariants: 181 of the 203 Synthea NPIs fail the NPI check digit (us-core-17), as Firely's validator reports.
        Assert.Equal(181, counters.Rules.Single(r => r.ResourceType == "Practitioner" && r.RuleId == "us-core-17").Resources);
    }

    /// <summary>
    /// The built-in rules (no files) cover every type of the export — US Core profiles where they apply, the R4 base
    /// definitions for Claim, ExplanationOfBenefit, ImagingStudy... — and find exactly the errors the package rules find.
    /// </summary>
    [Fact]
    public async Task Built_in_rules_validate_every_Synthea_type_and_find_the_same_errors_as_the_package_rules()
    {
        var (package, _) = Validate(await fixture.For("6.1.0"));
        var (builtIn, lines) = Validate(UsCoreValidator.CreateBuiltIn());
        output.WriteLine(builtIn.ToReport(IssueSeverity.Warning));

        Assert.Equal(38_483, lines);
        Assert.DoesNotContain(builtIn.Rules, r => r.RuleId == UsCoreValidator.RuleNotCovered);
        Assert.All(builtIn.Types, t => Assert.Equal(0, t.Unusable));
        Assert.Contains(builtIn.Types, t => t.ResourceType == "ExplanationOfBenefit" && t.Checked > 0);
        Assert.Equal(Errors(package), Errors(builtIn));
        Assert.Equal(package.Types.Select(t => (t.ResourceType, t.Checked, t.WithErrors)), builtIn.Types.Select(t => (t.ResourceType, t.Checked, t.WithErrors)));
    }

    private static IEnumerable<string> Errors(ValidationCounters counters) => counters.Rules
        .Where(r => r.Severity <= IssueSeverity.Error)
        .Select(r => $"{r.ResourceType} {r.Profile} {r.RuleId}: {r.Resources}")
        .Order(StringComparer.Ordinal);

    private static (ValidationCounters Counters, int Lines) Validate(UsCoreValidator validator)
    {
        var counters = new ValidationCounters();
        var lines = 0;
        foreach (var file in Directory.GetFiles(SharedData.PathOf("synthea", "100-patients"), "*.ndjson").Order(StringComparer.Ordinal))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.Length == 0) continue;
                lines++;
                var parsed = ResourceParser.Parse(Encoding.UTF8.GetBytes(line));
                Assert.True(parsed.Succeeded, $"{Path.GetFileName(file)}:{lines} {parsed.Error?.Message}");
                using var document = parsed.Document!;
                counters.Record(parsed.ResourceType!, validator.Validate(document.RootElement));
            }
        }
        return (counters, lines);
    }
}
