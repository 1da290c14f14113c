using Ingestion.Fhir.Validation;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>Our own rules on top of FHIR's, each switchable: choosing a profile by content, and requiring a subject.</summary>
public sealed class ValidationChoicesTests
{
    // A lab Observation that declares no profile and lacks what US Core lab requires (category is there, but no
    // effective[x] and no value or dataAbsentReason are fine for base R4).
    private const string LabWithoutEffective = """
        {"resourceType":"Observation","status":"final",
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"2339-0"}]},"subject":{"reference":"Patient/p1"}}
        """;

    private const string ObservationWithoutSubject = """
        {"resourceType":"Observation","status":"final",
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"2339-0"}]},"effectiveDateTime":"2020-01-01","valueString":"x"}
        """;

    [Fact]
    public void By_default_a_resource_without_meta_profile_is_checked_against_the_us_core_profile_its_content_suggests()
    {
        var result = Validate(new UsCoreValidatorOptions { ReportMustSupport = false }, LabWithoutEffective);
        Assert.Contains(result.Issues, i => i.Profile == "http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab");
    }

    [Fact]
    public void Choosing_by_content_switched_off_checks_it_against_the_base_definition_only()
    {
        var result = Validate(new UsCoreValidatorOptions { ReportMustSupport = false, SelectProfileByContent = false }, LabWithoutEffective);
        Assert.DoesNotContain(result.Issues, i => i.Profile?.StartsWith("http://hl7.org/fhir/us/core/", StringComparison.Ordinal) == true);
        Assert.False(result.HasErrors);
    }

    [Fact]
    public void An_override_still_applies_when_choosing_by_content_is_off()
    {
        var options = new UsCoreValidatorOptions
        {
            ReportMustSupport = false,
            SelectProfileByContent = false,
            ProfileOverrides = new Dictionary<string, string> { ["Observation"] = "us-core-observation-lab" },
        };
        Assert.Contains(Validate(options, LabWithoutEffective).Issues, i => i.Profile?.EndsWith("us-core-observation-lab", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void A_clinical_resource_without_subject_is_unusable_by_default()
    {
        var result = Validate(new UsCoreValidatorOptions { ReportMustSupport = false }, ObservationWithoutSubject);
        Assert.False(result.Usable);
        Assert.Contains(result.Issues, i => i.RuleId == UsCoreValidator.RuleNoSubject && i.Severity == IssueSeverity.Fatal);
    }

    [Fact]
    public void With_RequireSubject_off_a_missing_subject_is_only_the_profiles_cardinality_error()
    {
        var result = Validate(new UsCoreValidatorOptions { ReportMustSupport = false, RequireSubject = false }, ObservationWithoutSubject);
        Assert.True(result.Usable);
        Assert.DoesNotContain(result.Issues, i => i.RuleId == UsCoreValidator.RuleNoSubject);
        Assert.Contains(result.Issues, i => i.RuleId == "Observation.subject:min" && i.Severity == IssueSeverity.Error);
    }

    private static ValidationResult Validate(UsCoreValidatorOptions options, string json)
    {
        var parsed = ResourceParser.Parse(json);
        using var document = parsed.Document!;
        return UsCoreValidator.CreateBuiltIn(options).Validate(document.RootElement);
    }
}

/// <summary>The built-in rules cover US Core's types; any other type is reported as not covered, never passed silently.</summary>
public sealed class NotCoveredTypeTests
{
    private static readonly UsCoreValidator Validator = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false, RequireSubject = false });

    [Fact]
    public void A_type_without_rules_is_reported_as_not_covered_and_a_covered_type_is_not()
    {
        Assert.Same(ValidationResult.Valid, Validate("""{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"1"}],"name":[{"family":"A"}],"gender":"male"}"""));

        var result = Validate("""{"resourceType":"ImmunizationRecommendation","id":"not an id!","bogus":1}""");
        var issue = Assert.Single(result.Issues);
        Assert.Equal(UsCoreValidator.RuleNotCovered, issue.RuleId);
        Assert.Equal(IssueSeverity.Warning, issue.Severity);
        Assert.Equal("ImmunizationRecommendation", issue.Location);
    }

    private static ValidationResult Validate(string json)
    {
        using var document = ResourceParser.Parse(json).Document!;
        return Validator.Validate(document.RootElement);
    }
}
