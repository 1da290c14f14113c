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

/// <summary>
/// The built-in rules validate every R4 resource type: against its US Core profile, else its R4 base definition
/// (structure, cardinality, primitives, bindings, invariants); no type is passed as "checked, 0 errors" unseen.
/// </summary>
public sealed class EveryResourceTypeValidatedTests
{
    private static readonly UsCoreValidator Validator = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false, RequireSubject = false });

    [Fact]
    public void Every_R4_resource_type_gets_structure_and_primitive_checks_from_the_built_in_rules()
    {
        Assert.Same(ValidationResult.Valid, Validate("""{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"1"}],"name":[{"family":"A"}],"gender":"male"}"""));

        var notChecked = new List<string>();
        foreach (var type in FhirResourceTypes.All)
        {
            var result = Validate($$"""{"resourceType":"{{type}}","id":"not an id!","bogus":1}""");
            var checkedIt = result.Issues.Any(i => i.RuleId.EndsWith(".id:format", StringComparison.Ordinal) && i.Severity == IssueSeverity.Fatal)
                && result.Issues.Any(i => i.RuleId.EndsWith(":unknown-element", StringComparison.Ordinal) && i.Location == type + ".bogus")
                && result.Issues.All(i => i.RuleId != UsCoreValidator.RuleNotCovered);
            if (!checkedIt) notChecked.Add(type);
        }
        Assert.Empty(notChecked);
    }

    [Fact]
    public void Every_resource_type_is_checked_against_its_own_rules_and_subject_element()
    {
        // The validator keeps its facts per type by the type's id (FhirResourceTypes): each type must find its own.
        var withSubject = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false });
        var wrong = new List<string>();
        foreach (var type in FhirResourceTypes.All)
        {
            using var document = ResourceParser.Parse($$"""{"resourceType":"{{type}}","bogus":1}""").Document!;
            var result = withSubject.Validate(document.RootElement);
            var unknown = result.Issues.Single(i => i.RuleId.EndsWith(":unknown-element", StringComparison.Ordinal));
            var subject = result.Issues.SingleOrDefault(i => i.RuleId == UsCoreValidator.RuleNoSubject)?.Location;
            var expectedSubject = type switch
            {
                "Immunization" or "AllergyIntolerance" or "Claim" or "ExplanationOfBenefit" => type + ".patient",
                "Coverage" => type + ".beneficiary",
                "Observation" or "Condition" or "Encounter" or "Procedure" or "MedicationRequest" or "MedicationDispense" or "DiagnosticReport"
                    or "DocumentReference" or "CarePlan" or "CareTeam" or "Goal" or "ServiceRequest" => type + ".subject",
                _ => null,
            };
            if (!unknown.RuleId.StartsWith(type + ":", StringComparison.Ordinal) && !unknown.RuleId.StartsWith(type + ".", StringComparison.Ordinal) || subject != expectedSubject)
                wrong.Add($"{type}: {unknown.RuleId}, {subject}");
        }
        Assert.Empty(wrong);
    }

    [Theory]
    [InlineData("Claim", "Claim.status:binding")]
    [InlineData("Claim", "Claim.type:min")]
    [InlineData("ExplanationOfBenefit", "ExplanationOfBenefit.status:binding")]
    [InlineData("ImagingStudy", "ImagingStudy.status:binding")]
    [InlineData("SupplyDelivery", "SupplyDelivery.status:binding")]
    [InlineData("PractitionerRole", "PractitionerRole:unknown-element")]
    [InlineData("Provenance", "Provenance.target:min")]
    [InlineData("Coverage", "Coverage.status:binding")]
    [InlineData("MedicationDispense", "MedicationDispense.status:binding")]
    [InlineData("QuestionnaireResponse", "QuestionnaireResponse.status:binding")]
    public void Types_beyond_the_first_US_Core_set_get_cardinality_and_required_bindings(string type, string rule)
    {
        var result = Validate($$"""{"resourceType":"{{type}}","id":"x1","status":"no-such-status"}""");
        Assert.Contains(result.Issues, i => i.RuleId == rule && i.Severity == IssueSeverity.Error);
    }

    [Fact]
    public void Base_invariants_are_evaluated_on_a_type_without_a_US_Core_profile()
    {
        const string claim = """
            {"resourceType":"Claim","id":"c1","status":"active","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/claim-type","code":"professional"}]},
             "use":"claim","patient":{"reference":"Patient/p1"},"created":"2020-01-01","provider":{"reference":"Organization/o1"},
             "priority":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/processpriority","code":"normal"}]},
             "insurance":[{"sequence":1,"focal":true,"coverage":{"reference":"Coverage/c1"}}],
             "billablePeriod":{"start":"2020-01-02","end":"%END%"}}
            """;
        Assert.DoesNotContain(Validate(claim.Replace("%END%", "2020-01-03")).Issues, i => i.Severity <= IssueSeverity.Error);

        var result = Validate(claim.Replace("%END%", "2020-01-01"));
        var issue = Assert.Single(result.Issues, i => i.Severity <= IssueSeverity.Error);
        Assert.Equal("per-1", issue.RuleId);
        Assert.Equal("Claim.billablePeriod", issue.Location);
    }

    private static ValidationResult Validate(string json)
    {
        using var document = ResourceParser.Parse(json).Document!;
        return Validator.Validate(document.RootElement);
    }
}

/// <summary>
/// R4 ships some expansions truncated (observation-codes, clinical-findings, body-site, device-kind...: "too costly"
/// to expand, their first 1,000 codes): they are never taken for the value set, so a valid code beyond them is not
/// reported as outside it; the binding is listed as not enforced instead.
/// </summary>
public sealed class TruncatedExpansionTests
{
    [Fact]
    public void A_code_outside_a_truncated_expansion_is_not_reported_and_the_binding_is_listed_as_unresolved()
    {
        // No category: checked against US Core clinical result, whose code is bound (extensible) to observation-codes.
        var validator = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false });
        using var document = ResourceParser.Parse("""
            {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"99999-9"}]},
             "subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-01-01","valueString":"x"}
            """).Document!;
        var result = validator.Validate(document.RootElement);
        Assert.Contains(result.Issues, i => i.Profile == "http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-clinical-result");
        Assert.DoesNotContain(result.Issues, i => i.Message.Contains("observation-codes", StringComparison.Ordinal));
        Assert.Contains(validator.UnresolvedBindings["http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-clinical-result"],
            b => b.Contains("http://hl7.org/fhir/ValueSet/observation-codes", StringComparison.Ordinal));
    }
}
