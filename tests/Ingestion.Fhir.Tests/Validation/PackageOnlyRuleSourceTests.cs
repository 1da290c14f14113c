using Ingestion.Fhir.Validation;
using Ingestion.Testing;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary><c>--package us_core_610.tgz</c> alone checks the R4 core bindings exactly as the built-in rules do.</summary>
[Trait("Category", TestCategories.Conformance)]
public sealed class PackageOnlyRuleSourceTests
{
    private static string Patient(string gender) =>
        $$"""{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"1"}],"name":[{"family":"A"}],"gender":"{{gender}}"}""";

    [Theory]
    [InlineData("female", true)]
    [InlineData("mail", false)]
    public async Task A_us_core_package_alone_brings_the_r4_core_value_sets(string gender, bool valid)
    {
        var options = new UsCoreValidatorOptions { ReportMustSupport = false };
        var packageOnly = await UsCoreValidator.FromPackagesAsync([SharedData.PathOf("us-core", "packages", "us_core_610.tgz")], options);
        var builtIn = UsCoreValidator.CreateBuiltIn(options);

        var fromPackage = Validate(packageOnly, Patient(gender));
        var fromBuiltIn = Validate(builtIn, Patient(gender));

        Assert.Equal(valid, !fromPackage.Issues.Any(i => i.RuleId.EndsWith("Patient.gender:binding", StringComparison.Ordinal)));
        Assert.Equal(fromBuiltIn.Issues.Where(i => i.Location == "Patient.gender").Select(i => i.RuleId), fromPackage.Issues.Where(i => i.Location == "Patient.gender").Select(i => i.RuleId));
        Assert.DoesNotContain(packageOnly.UnresolvedBindings.Values.SelectMany(b => b), b => b.Contains("administrative-gender", StringComparison.Ordinal));
    }

    private static ValidationResult Validate(UsCoreValidator validator, string json)
    {
        using var document = ResourceParser.Parse(json).Document!;
        return validator.Validate(document.RootElement);
    }
}
