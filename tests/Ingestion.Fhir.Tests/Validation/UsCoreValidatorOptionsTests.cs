using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Fhir.Tests.Validation;

public sealed class UsCoreValidatorOptionsTests
{
    [Fact]
    public void Options_bind_from_the_Validation_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Validation:Mode"] = "Strict",
            ["Validation:ReportMustSupport"] = "false",
            ["Validation:Packages:0"] = "/packages/us_core_700.tgz",
            ["Validation:Packages:1"] = "/packages/profiles-types.json",
            ["Validation:ProfileOverrides:Condition"] = "us-core-condition-encounter-diagnosis",
        }).Build();

        var options = configuration.GetSection(UsCoreValidatorOptions.SectionName).Get<UsCoreValidatorOptions>()!;

        Assert.Equal(ValidationMode.Strict, options.Mode);
        Assert.False(options.ReportMustSupport);
        Assert.True(options.RequireSubject);
        Assert.Equal(["/packages/us_core_700.tgz", "/packages/profiles-types.json"], options.Packages);
        Assert.Equal("us-core-condition-encounter-diagnosis", options.ProfileOverrides["Condition"]);
    }

    [Fact]
    public void An_override_naming_a_profile_that_is_not_loaded_is_refused_at_startup()
    {
        var options = new UsCoreValidatorOptions { ProfileOverrides = new Dictionary<string, string> { ["Condition"] = "no-such-profile" } };
        var error = Assert.Throws<ArgumentException>(() => UsCoreValidator.CreateBuiltIn(options));
        Assert.Contains("Validation:ProfileOverrides:Condition", error.Message);
    }

    [Fact]
    public void One_validator_gives_the_same_results_from_many_threads()
    {
        var validator = UsCoreValidator.CreateBuiltIn();
        var resources = new[]
        {
            """{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"1"}],"name":[{"family":"A"}],"gender":"male"}""",
            """{"resourceType":"Condition","code":{"text":"x"},"subject":{"reference":"Patient/p1"}}""",
            """{"resourceType":"Observation","status":"final","code":{"text":"x"},"birthDate":"x"}""",
        }.Select(json => ResourceDocument.Parse(json)).ToArray();
        var expected = resources.Select(r => Describe(validator.Validate(r.RootElement))).ToArray();

        var mismatches = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var index = i % resources.Length;
            if (Describe(validator.Validate(resources[index].RootElement)) != expected[index]) Interlocked.Increment(ref mismatches);
        });
        Assert.Equal(0, mismatches);
        foreach (var r in resources) r.Dispose();
    }

    private static string Describe(ValidationResult result) =>
        result.Usable + "|" + string.Join(";", result.Issues.Select(i => $"{i.Severity} {i.RuleId} {i.Location} {i.Profile}"));
}
