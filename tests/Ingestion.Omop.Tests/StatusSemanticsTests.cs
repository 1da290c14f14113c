namespace Ingestion.Omop.Tests;

/// <summary>The status table of docs/omop-mapping.md: one fixture per status/intent case.</summary>
public class StatusSemanticsTests
{
    private static readonly IVocabulary Vocabulary = TestVocabulary.Create();

    private const string Subject = "\"subject\":{\"reference\":\"Patient/p1\"}";

    private static string Encounter(string status) =>
        $$$"""{"resourceType":"Encounter","id":"e1","status":"{{{status}}}",{{{Subject}}},"class":{"code":"AMB"},"period":{"start":"2020-01-01T10:00:00Z"}}""";

    private static string Condition(string verification) =>
        $$$"""{"resourceType":"Condition","id":"c1",{{{Subject}}},"onsetDateTime":"2020-01-01","code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"{{{verification}}}"}]}}""";

    private static string Allergy(string verification) =>
        $$$"""{"resourceType":"AllergyIntolerance","id":"a1","patient":{"reference":"Patient/p1"},"recordedDate":"2020-01-01","code":{"coding":[{"system":"http://snomed.info/sct","code":"300916003"}]},"verificationStatus":{"coding":[{"code":"{{{verification}}}"}]}}""";

    private static string Observation(string status) =>
        $$$"""{"resourceType":"Observation","id":"o1","status":"{{{status}}}",{{{Subject}}},"effectiveDateTime":"2020-01-01","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"valueQuantity":{"value":80,"code":"kg"}}""";

    private static string Procedure(string status) =>
        $$$"""{"resourceType":"Procedure","id":"pr1","status":"{{{status}}}",{{{Subject}}},"performedDateTime":"2020-01-01","code":{"coding":[{"system":"http://snomed.info/sct","code":"430193006"}]}}""";

    private static string MedicationRequest(string status, string intent) =>
        $$$"""{"resourceType":"MedicationRequest","id":"m1","status":"{{{status}}}","intent":"{{{intent}}}",{{{Subject}}},"authoredOn":"2020-01-01","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"314076"}]}}""";

    private static string Medication(string type, string status) =>
        $$$"""{"resourceType":"{{{type}}}","id":"m2","status":"{{{status}}}",{{{Subject}}},"effectiveDateTime":"2020-01-01","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"314076"}]}}""";

    private static string Immunization(string status) =>
        $$$"""{"resourceType":"Immunization","id":"i1","status":"{{{status}}}","patient":{"reference":"Patient/p1"},"occurrenceDateTime":"2020-01-01","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]}}""";

    private static string DeviceUse(string status) =>
        $$$"""{"resourceType":"DeviceUseStatement","id":"d1","status":"{{{status}}}",{{{Subject}}},"timingDateTime":"2020-01-01"}""";

    public static TheoryData<string, string> ExcludedCases => new()
    {
        { Encounter("planned"), "Encounter.status=planned" },
        { Encounter("cancelled"), "Encounter.status=cancelled" },
        { Encounter("entered-in-error"), "Encounter.status=entered-in-error" },
        { Condition("refuted"), "Condition.verificationStatus=refuted" },
        { Condition("entered-in-error"), "Condition.verificationStatus=entered-in-error" },
        { Allergy("refuted"), "AllergyIntolerance.verificationStatus=refuted" },
        { Observation("registered"), "Observation.status=registered" },
        { Observation("cancelled"), "Observation.status=cancelled" },
        { Observation("entered-in-error"), "Observation.status=entered-in-error" },
        { Procedure("preparation"), "Procedure.status=preparation" },
        { Procedure("not-done"), "Procedure.status=not-done" },
        { Procedure("entered-in-error"), "Procedure.status=entered-in-error" },
        { MedicationRequest("draft", "order"), "MedicationRequest.status=draft" },
        { MedicationRequest("cancelled", "order"), "MedicationRequest.status=cancelled" },
        { MedicationRequest("entered-in-error", "order"), "MedicationRequest.status=entered-in-error" },
        { MedicationRequest("active", "proposal"), "MedicationRequest.intent=proposal" },
        { MedicationRequest("active", "plan"), "MedicationRequest.intent=plan" },
        { Medication("MedicationStatement", "not-taken"), "MedicationStatement.status=not-taken" },
        { Medication("MedicationStatement", "intended"), "MedicationStatement.status=intended" },
        { Medication("MedicationAdministration", "not-done"), "MedicationAdministration.status=not-done" },
        { Immunization("not-done"), "Immunization.status=not-done" },
        { Immunization("entered-in-error"), "Immunization.status=entered-in-error" },
        { DeviceUse("intended"), "DeviceUseStatement.status=intended" },
    };

    public static TheoryData<string> MappedCases => new()
    {
        Encounter("finished"), Encounter("in-progress"), Encounter("arrived"),
        Condition("confirmed"), Condition("provisional"), Condition("differential"), Condition("unconfirmed"),
        Observation("final"), Observation("amended"), Observation("corrected"), Observation("preliminary"),
        Procedure("completed"), Procedure("in-progress"), Procedure("stopped"),
        MedicationRequest("active", "order"), MedicationRequest("completed", "original-order"), MedicationRequest("stopped", "order"),
        MedicationRequest("on-hold", "instance-order"),
        Medication("MedicationStatement", "active"), Medication("MedicationAdministration", "completed"),
        Immunization("completed"), DeviceUse("active"),
    };

    [Theory]
    [MemberData(nameof(ExcludedCases))]
    public void A_resource_whose_status_records_no_fact_is_excluded_and_counted_by_reason_not_quarantined(string json, string reason)
    {
        var sink = new RecordingSink();
        var report = new MappingReport();

        var outcome = new OmopMapper(Vocabulary, new FakeDeidentifier()).Map(Fhir.Parse(json), sink, report);

        Assert.Equal(MappingStatus.Excluded, outcome.Status);
        Assert.Equal(reason, outcome.ExclusionReason);
        Assert.Null(outcome.QuarantineReason);
        Assert.Empty(sink.Rows);
        Assert.Equal(1, report.ExcludedByReason[reason]);
        Assert.Empty(report.QuarantinedByReason);
        Assert.Contains("\"excludedByReason\"", report.ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MappedCases))]
    public void A_resource_whose_status_records_a_fact_is_mapped(string json)
    {
        var sink = new RecordingSink();
        var report = new MappingReport();

        var outcome = new OmopMapper(Vocabulary, new FakeDeidentifier()).Map(Fhir.Parse(json), sink, report);

        Assert.Equal(MappingStatus.Mapped, outcome.Status);
        Assert.NotEmpty(sink.Rows);
        Assert.Empty(report.ExcludedByReason);
    }

    [Fact]
    public void Provisional_conditions_and_preliminary_results_are_excluded_when_the_settings_say_so()
    {
        var mapper = new OmopMapper(Vocabulary, new FakeDeidentifier(),
            new OmopMapperOptions { ExcludeProvisionalConditions = true, ExcludePreliminaryResults = true });
        var report = new MappingReport();

        Assert.Equal("Condition.verificationStatus=provisional", mapper.Map(Fhir.Parse(Condition("provisional")), new RecordingSink(), report).ExclusionReason);
        Assert.Equal("Condition.verificationStatus=differential", mapper.Map(Fhir.Parse(Condition("differential")), new RecordingSink(), report).ExclusionReason);
        Assert.Equal("Observation.status=preliminary", mapper.Map(Fhir.Parse(Observation("preliminary")), new RecordingSink(), report).ExclusionReason);
    }

    [Fact]
    public void A_provisional_condition_is_mapped_as_a_preliminary_diagnosis()
    {
        var sink = new RecordingSink();
        new OmopMapper(Vocabulary, new FakeDeidentifier()).Map(Fhir.Parse(Condition("provisional")), sink, new MappingReport());

        var row = Assert.Single(sink.Of(CdmTables.ConditionOccurrence));
        Assert.Equal(32899, row[CdmTables.ConditionOccurrence.IndexOf("condition_status_concept_id")]);
    }
}
