using Ingestion.Privacy;

namespace Ingestion.Omop.Tests;

public class OmopMapperTests
{
    private static readonly IVocabulary Vocabulary = TestVocabulary.Create();
    private readonly FakeDeidentifier _deid = new();
    private readonly RecordingSink _sink = new();
    private readonly MappingReport _report = new();

    private MappingOutcome Map(string json) => new OmopMapper(Vocabulary, _deid).Map(Fhir.Parse(json), _sink, _report);

    private static string Condition(string system, string code, string subject = "Patient/p1", string id = "c1") => $$"""
        {"resourceType":"Condition","id":"{{id}}","subject":{"reference":"{{subject}}"},
         "encounter":{"reference":"Encounter/e1"},"onsetDateTime":"2020-03-04T10:00:00-05:00",
         "code":{"coding":[{"system":"{{system}}","code":"{{code}}","display":"do not copy me"}],"text":"free text"} }
        """;

    [Fact]
    public void Condition_with_a_standard_condition_code_lands_in_condition_occurrence()
    {
        var outcome = Map(Condition("http://snomed.info/sct", "44054006"));

        Assert.Equal(MappingOutcome.Mapped(1), outcome);
        var row = Assert.Single(_sink.Of(CdmTables.ConditionOccurrence));
        Assert.Equal(TestVocabulary.Type2Diabetes, row[CdmTables.ConditionOccurrence.IndexOf("condition_concept_id")]);
        Assert.Equal("44054006", row[CdmTables.ConditionOccurrence.IndexOf("condition_source_value")]);
        Assert.Equal(TestVocabulary.Type2Diabetes, row[CdmTables.ConditionOccurrence.IndexOf("condition_source_concept_id")]);
        Assert.Equal(32817, row[CdmTables.ConditionOccurrence.IndexOf("condition_type_concept_id")]);
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Person, "p1"), row[CdmTables.ConditionOccurrence.IndexOf("person_id")]);
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.VisitOccurrence, "e1"), row[CdmTables.ConditionOccurrence.IndexOf("visit_occurrence_id")]);
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.ConditionOccurrence, "Condition/c1"), row[0]);
    }

    [Fact]
    public void Dates_come_from_the_deidentifier_shift()
    {
        Map(Condition("http://snomed.info/sct", "44054006"));

        var row = _sink.Of(CdmTables.ConditionOccurrence)[0];
        Assert.Equal(_deid.ShiftDate("p1", "2020-03-04"), row[CdmTables.ConditionOccurrence.IndexOf("condition_start_date")]);
        Assert.Equal(_deid.ShiftDateTime("p1", "2020-03-04T10:00:00-05:00"), row[CdmTables.ConditionOccurrence.IndexOf("condition_start_datetime")]);
        Assert.Equal(_deid.ShiftDate("p1", "2020-03-04"), _sink.Dates.Rows().Single()[1]);
    }

    [Fact]
    public void Condition_code_whose_standard_concept_is_in_the_observation_domain_lands_in_observation()
    {
        Map(Condition("http://snomed.info/sct", "162864005"));

        Assert.Empty(_sink.Of(CdmTables.ConditionOccurrence));
        var row = Assert.Single(_sink.Of(CdmTables.Observation));
        Assert.Equal(TestVocabulary.ObesityBmi, row[CdmTables.Observation.IndexOf("observation_concept_id")]);
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Observation, "Condition/c1"), row[0]);
    }

    [Fact]
    public void Non_standard_code_follows_maps_to_and_keeps_its_source_concept()
    {
        Map(Condition("http://snomed.info/sct", "15777000"));

        var row = Assert.Single(_sink.Of(CdmTables.ConditionOccurrence));
        Assert.Equal(TestVocabulary.PrediabetesStandard, row[CdmTables.ConditionOccurrence.IndexOf("condition_concept_id")]);
        Assert.Equal(TestVocabulary.Prediabetes, row[CdmTables.ConditionOccurrence.IndexOf("condition_source_concept_id")]);
    }

    [Fact]
    public void Known_code_without_a_standard_mapping_gets_concept_0_and_keeps_its_source_concept()
    {
        Map(Condition("http://snomed.info/sct", "275272006"));

        var row = Assert.Single(_sink.Of(CdmTables.ConditionOccurrence));
        Assert.Equal(0, row[CdmTables.ConditionOccurrence.IndexOf("condition_concept_id")]);
        Assert.Equal(TestVocabulary.UnmappedSnomed, row[CdmTables.ConditionOccurrence.IndexOf("condition_source_concept_id")]);
        Assert.Equal("275272006", row[CdmTables.ConditionOccurrence.IndexOf("condition_source_value")]);
    }

    [Fact]
    public void Unknown_code_is_kept_with_concept_0_and_listed_in_the_report()
    {
        var outcome = Map(Condition("http://snomed.info/sct", "999999999"));

        Assert.Equal(MappingStatus.Mapped, outcome.Status);
        var row = Assert.Single(_sink.Of(CdmTables.ConditionOccurrence));
        Assert.Equal(0, row[CdmTables.ConditionOccurrence.IndexOf("condition_concept_id")]);
        Assert.Equal(0, row[CdmTables.ConditionOccurrence.IndexOf("condition_source_concept_id")]);
        Assert.Equal("999999999", row[CdmTables.ConditionOccurrence.IndexOf("condition_source_value")]);
        Assert.Equal(("condition_occurrence", "SNOMED", "999999999", 1L), _report.TopUnmapped(1)[0]);
        Assert.Equal(1.0, _report.UnmappedRate("condition_occurrence"));
    }

    [Fact]
    public void Code_from_a_system_without_an_omop_vocabulary_is_system_qualified()
    {
        Map(Condition("http://example.org/codes", "X1"));

        var row = Assert.Single(_sink.Of(CdmTables.ConditionOccurrence));
        Assert.Equal("http://example.org/codes|X1", row[CdmTables.ConditionOccurrence.IndexOf("condition_source_value")]);
        Assert.Equal(("condition_occurrence", "http://example.org/codes", "X1", 1L), _report.TopUnmapped(1)[0]);
    }

    [Fact]
    public void Code_that_maps_to_two_standard_concepts_gives_one_row_per_concept_with_distinct_keys()
    {
        Map("""
            {"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order",
             "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"10831"}]},
             "subject":{"reference":"Patient/p1"},"authoredOn":"2021-01-02"}
            """);

        var rows = _sink.Of(CdmTables.DrugExposure);
        Assert.Equal(2, rows.Count);
        Assert.Equal(new[] { TestVocabulary.Trimethoprim, TestVocabulary.Sulfamethoxazole }.Order(),
            rows.Select(r => (int)r[CdmTables.DrugExposure.IndexOf("drug_concept_id")]!).Order());
        Assert.All(rows, r => Assert.Equal(TestVocabulary.SulfaTrimethoprim, r[CdmTables.DrugExposure.IndexOf("drug_source_concept_id")]));
        Assert.Equal(2, rows.Select(r => r[0]).Distinct().Count());
        Assert.Contains(rows, r => (long)r[0]! == _deid.PseudonymousId(OmopKeyDomain.DrugExposure, "MedicationRequest/m1"));
        Assert.Contains(rows, r => (long)r[0]! == _deid.PseudonymousId(OmopKeyDomain.DrugExposure, "MedicationRequest/m1#map/1"));
        Assert.All(rows, r => Assert.Equal(32838, r[CdmTables.DrugExposure.IndexOf("drug_type_concept_id")]));
    }

    [Fact]
    public void Maps_to_value_fills_value_as_concept_id()
    {
        Map(Condition("http://hl7.org/fhir/sid/icd-10-cm", "Z87.891"));

        var row = Assert.Single(_sink.Of(CdmTables.Observation));
        Assert.Equal(TestVocabulary.HistoryOfFinding, row[CdmTables.Observation.IndexOf("observation_concept_id")]);
        Assert.Equal(TestVocabulary.NicotineDependence, row[CdmTables.Observation.IndexOf("value_as_concept_id")]);
        Assert.Equal("Z87.891", row[CdmTables.Observation.IndexOf("observation_source_value")]);
    }

    [Fact]
    public void Blood_pressure_components_become_separate_measurement_rows_with_units()
    {
        var outcome = Map("""
            {"resourceType":"Observation","id":"bp1","status":"final",
             "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
             "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
             "subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-05-06T07:08:09Z",
             "component":[
               {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":73,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
               {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":124,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}
            """);

        Assert.Equal(MappingOutcome.Mapped(2), outcome);
        var rows = _sink.Of(CdmTables.Measurement);
        Assert.Equal(2, rows.Count);
        var t = CdmTables.Measurement;
        var diastolic = rows.Single(r => (int)r[t.IndexOf("measurement_concept_id")]! == TestVocabulary.Diastolic);
        var systolic = rows.Single(r => (int)r[t.IndexOf("measurement_concept_id")]! == TestVocabulary.Systolic);
        Assert.Equal(73.0, diastolic[t.IndexOf("value_as_number")]);
        Assert.Equal(124.0, systolic[t.IndexOf("value_as_number")]);
        Assert.All(rows, r => Assert.Equal(TestVocabulary.MmHg, r[t.IndexOf("unit_concept_id")]));
        Assert.All(rows, r => Assert.Equal("mm[Hg]", r[t.IndexOf("unit_source_value")]));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Measurement, "Observation/bp1#component/0"), diastolic[0]);
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Measurement, "Observation/bp1#component/1"), systolic[0]);
    }

    [Fact]
    public void Coded_observation_value_becomes_value_as_concept_id_in_observation()
    {
        Map("""
            {"resourceType":"Observation","id":"s1","status":"final",
             "category":[{"coding":[{"code":"social-history"}]}],
             "code":{"coding":[{"system":"http://loinc.org","code":"72166-2"}]},
             "subject":{"reference":"urn:uuid:p1"},"effectiveDateTime":"2020-05-06",
             "valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"449868002"}]}}
            """);

        var row = Assert.Single(_sink.Of(CdmTables.Observation));
        var t = CdmTables.Observation;
        Assert.Equal(TestVocabulary.SmokingStatus, row[t.IndexOf("observation_concept_id")]);
        Assert.Equal(TestVocabulary.SmokesDaily, row[t.IndexOf("value_as_concept_id")]);
        Assert.Equal("449868002", row[t.IndexOf("value_source_value")]);
        Assert.Null(row[t.IndexOf("observation_datetime")]);
    }

    [Fact]
    public void Quantity_value_sets_number_unit_and_reference_range()
    {
        Map("""
            {"resourceType":"Observation","id":"w1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},
             "subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-05-06T10:00:00Z",
             "valueQuantity":{"value":80.5,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"},
             "referenceRange":[{"low":{"value":50},"high":{"value":100}}]}
            """);

        var row = Assert.Single(_sink.Of(CdmTables.Measurement));
        var t = CdmTables.Measurement;
        Assert.Equal(80.5, row[t.IndexOf("value_as_number")]);
        Assert.Equal(TestVocabulary.Kilogram, row[t.IndexOf("unit_concept_id")]);
        Assert.Equal(TestVocabulary.Kilogram, row[t.IndexOf("unit_source_concept_id")]);
        Assert.Equal(50.0, row[t.IndexOf("range_low")]);
        Assert.Equal(100.0, row[t.IndexOf("range_high")]);
    }

    [Fact]
    public void Unknown_unit_keeps_its_source_value_with_concept_0()
    {
        Map("""
            {"resourceType":"Observation","id":"w2","status":"final","category":[{"coding":[{"code":"laboratory"}]}],
             "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"subject":{"reference":"Patient/p1"},
             "effectiveDateTime":"2020-05-06","valueQuantity":{"value":3,"system":"http://unitsofmeasure.org","code":"{beats}/min"}}
            """);

        var row = Assert.Single(_sink.Of(CdmTables.Measurement));
        Assert.Equal(0, row[CdmTables.Measurement.IndexOf("unit_concept_id")]);
        Assert.Equal("{beats}/min", row[CdmTables.Measurement.IndexOf("unit_source_value")]);
    }

    [Fact]
    public void Unmapped_observation_falls_back_to_its_category_table()
    {
        Map("""
            {"resourceType":"Observation","id":"l1","status":"final","category":[{"coding":[{"code":"laboratory"}]}],
             "code":{"coding":[{"system":"http://loinc.org","code":"0000-0"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-05-06"}
            """);
        Map("""
            {"resourceType":"Observation","id":"q1","status":"final","category":[{"coding":[{"code":"survey"}]}],
             "code":{"coding":[{"system":"http://loinc.org","code":"0000-1"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-05-06"}
            """);

        Assert.Equal("0000-0", Assert.Single(_sink.Of(CdmTables.Measurement))[CdmTables.Measurement.IndexOf("measurement_source_value")]);
        Assert.Equal("0000-1", Assert.Single(_sink.Of(CdmTables.Observation))[CdmTables.Observation.IndexOf("observation_source_value")]);
    }

    [Theory]
    [InlineData("Patient/p1")]
    [InlineData("urn:uuid:p1")]
    [InlineData("https://ehr.example.org/fhir/Patient/p1")]
    [InlineData("https://ehr.example.org/fhir/Patient/p1/_history/3")]
    public void Subject_resolves_however_the_reference_is_written(string reference)
    {
        Map(Condition("http://snomed.info/sct", "44054006", subject: reference));

        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Person, "p1"), _sink.Of(CdmTables.ConditionOccurrence)[0][1]);
    }

    [Fact]
    public void Resource_without_subject_is_quarantined_with_a_reason_and_no_rows()
    {
        var outcome = Map("""{"resourceType":"Condition","id":"c9","code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]},"onsetDateTime":"2020-01-01"}""");

        Assert.Equal(MappingOutcome.Quarantine(QuarantineReasons.MissingSubject), outcome);
        Assert.Empty(_sink.Rows);
        Assert.Equal(1, _report.QuarantinedByReason[QuarantineReasons.MissingSubject]);
        Assert.Equal(1, _report.ResourcesByOutcome[("Condition", MappingStatus.Quarantined)]);
    }

    [Fact]
    public void Subject_that_is_not_a_patient_is_quarantined()
    {
        var outcome = Map(Condition("http://snomed.info/sct", "44054006", subject: "Group/g1"));

        Assert.Equal(QuarantineReasons.UnresolvableSubject, outcome.QuarantineReason);
    }

    [Fact]
    public void Resource_without_any_date_is_quarantined()
    {
        var outcome = Map("""{"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"1"}]}}""");

        Assert.Equal(QuarantineReasons.MissingDate, outcome.QuarantineReason);
        Assert.Empty(_sink.Rows);
    }

    [Fact]
    public void Resource_type_outside_the_mapping_is_counted_as_not_covered()
    {
        var outcome = Map("""{"resourceType":"CarePlan","id":"cp1"}""");

        Assert.Equal(MappingStatus.NotCovered, outcome.Status);
        Assert.Equal(1, _report.NotCoveredByResourceType["CarePlan"]);
    }

    [Fact]
    public void Escaped_resource_type_maps_as_the_type_it_decodes_to()
    {
        var escaped = Condition("http://snomed.info/sct", "44054006").Replace("\"Condition\"", "\"Conditi\\u006fn\"", StringComparison.Ordinal);

        var outcome = Map(escaped);

        Assert.Equal(MappingOutcome.Mapped(1), outcome);
        Assert.Single(_sink.Of(CdmTables.ConditionOccurrence));
    }

    [Fact]
    public void Escaped_name_outside_the_mapping_is_counted_as_not_covered()
    {
        var outcome = Map("""{"resourceType":"CareP\u006can","id":"cp1"}""");

        Assert.Equal(MappingStatus.NotCovered, outcome.Status);
        Assert.Equal(1, _report.NotCoveredByResourceType["CarePlan"]);
    }

    [Fact]
    public void Patient_becomes_person_location_and_death_without_names_or_identifiers()
    {
        var outcome = Map("""
            {"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1970-06-15",
             "name":[{"family":"Doe","given":["Jane"]}],
             "identifier":[{"system":"http://hl7.org/fhir/sid/us-ssn","value":"999-88-7777"}],
             "telecom":[{"system":"phone","value":"555-1234"}],
             "address":[{"line":["1 Main Street"],"city":"Springfield","state":"Massachusetts","postalCode":"01103","country":"US"}],
             "deceasedDateTime":"2020-02-03T04:05:06Z",
             "extension":[
               {"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race","extension":[{"url":"ombCategory","valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"2106-3"}},{"url":"text","valueString":"White"}]},
               {"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity","extension":[{"url":"ombCategory","valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"2186-5"}}]}]}
            """);

        Assert.Equal(MappingOutcome.Mapped(3), outcome);
        var person = Assert.Single(_sink.Of(CdmTables.Person));
        var t = CdmTables.Person;
        Assert.Equal(8532, person[t.IndexOf("gender_concept_id")]);
        Assert.Equal(8527, person[t.IndexOf("race_concept_id")]);
        Assert.Equal(38003564, person[t.IndexOf("ethnicity_concept_id")]);
        Assert.Equal(_deid.ShiftBirth("p1", "1970-06-15").YearOfBirth, person[t.IndexOf("year_of_birth")]);
        Assert.Null(person[t.IndexOf("person_source_value")]);
        var location = Assert.Single(_sink.Of(CdmTables.Location));
        Assert.Equal("MA", location[CdmTables.Location.IndexOf("state")]);
        Assert.Equal("011", location[CdmTables.Location.IndexOf("zip")]);
        Assert.Equal(location[0], person[t.IndexOf("location_id")]);
        var death = Assert.Single(_sink.Of(CdmTables.Death));
        Assert.Equal(_deid.ShiftDate("p1", "2020-02-03"), death[1]);

        var strings = _sink.Rows.Values.SelectMany(rows => rows).SelectMany(r => r).OfType<string>().ToList();
        foreach (var secret in new[] { "Doe", "Jane", "999-88-7777", "555-1234", "1 Main Street", "Springfield", "01103", "p1" })
            Assert.DoesNotContain(strings, s => s.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public void Patient_without_birth_date_is_quarantined()
    {
        Assert.Equal(QuarantineReasons.MissingBirthDate, Map("""{"resourceType":"Patient","id":"p2","gender":"male"}""").QuarantineReason);
    }

    [Theory]
    [InlineData("AMB", 9202)]
    [InlineData("IMP", 9201)]
    [InlineData("EMER", 9203)]
    [InlineData("XYZ", 0)]
    public void Encounter_class_sets_the_visit_concept(string classCode, int visitConcept)
    {
        Map($$"""
            {"resourceType":"Encounter","id":"e1","status":"finished",
             "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"{{classCode}}"},
             "subject":{"reference":"Patient/p1"},"participant":[{"individual":{"reference":"Practitioner/dr1"} }],
             "serviceProvider":{"reference":"Organization/o1"},
             "period":{"start":"2020-01-01T08:00:00Z","end":"2020-01-02T09:00:00Z"} }
            """);

        var row = Assert.Single(_sink.Of(CdmTables.VisitOccurrence));
        var t = CdmTables.VisitOccurrence;
        Assert.Equal(visitConcept, row[t.IndexOf("visit_concept_id")]);
        Assert.Equal(classCode, row[t.IndexOf("visit_source_value")]);
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.VisitOccurrence, "e1"), row[0]);
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Provider, "dr1"), row[t.IndexOf("provider_id")]);
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.CareSite, "o1"), row[t.IndexOf("care_site_id")]);
        Assert.Equal(_deid.ShiftDate("p1", "2020-01-02"), row[t.IndexOf("visit_end_date")]);
    }

    [Fact]
    public void Immunization_with_a_cvx_code_outside_the_vocabulary_keeps_the_code_with_concept_0()
    {
        Map("""
            {"resourceType":"Immunization","id":"i1","status":"completed",
             "vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]},
             "patient":{"reference":"Patient/p1"},"occurrenceDateTime":"2020-10-01T10:00:00Z"}
            """);

        var row = Assert.Single(_sink.Of(CdmTables.DrugExposure));
        var t = CdmTables.DrugExposure;
        Assert.Equal(0, row[t.IndexOf("drug_concept_id")]);
        Assert.Equal("140", row[t.IndexOf("drug_source_value")]);
        Assert.Equal(32818, row[t.IndexOf("drug_type_concept_id")]);
        Assert.Equal(row[t.IndexOf("drug_exposure_start_date")], row[t.IndexOf("drug_exposure_end_date")]);
        Assert.Equal(("drug_exposure", "CVX", "140", 1L), _report.TopUnmapped(1)[0]);
    }

    [Fact]
    public void Practitioner_and_organization_become_provider_and_care_site_without_names()
    {
        Map("""{"resourceType":"Practitioner","id":"dr1","gender":"male","name":[{"family":"Who"}],"identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567890"}]}""");
        Map("""{"resourceType":"Organization","id":"o1","name":"General Hospital","address":[{"state":"NJ","postalCode":"07030"}]}""");

        var provider = Assert.Single(_sink.Of(CdmTables.Provider));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Provider, "dr1"), provider[0]);
        Assert.Equal(8507, provider[CdmTables.Provider.IndexOf("gender_concept_id")]);
        Assert.Null(provider[CdmTables.Provider.IndexOf("npi")]);
        var site = Assert.Single(_sink.Of(CdmTables.CareSite));
        Assert.Null(site[CdmTables.CareSite.IndexOf("care_site_name")]);
        Assert.Equal(_sink.Of(CdmTables.Location)[0][0], site[CdmTables.CareSite.IndexOf("location_id")]);
    }

    [Fact]
    public void Mapping_the_same_resource_twice_gives_identical_rows()
    {
        const string json = """
            {"resourceType":"Observation","id":"w1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},
             "subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-05-06T10:00:00Z","valueQuantity":{"value":80.5,"system":"http://unitsofmeasure.org","code":"kg"}}
            """;
        var first = new RecordingSink();
        var second = new RecordingSink();
        new OmopMapper(Vocabulary, new FakeDeidentifier()).Map(Fhir.Parse(json), first, new MappingReport());
        new OmopMapper(Vocabulary, new FakeDeidentifier()).Map(Fhir.Parse(json), second, new MappingReport());

        Assert.Equal(first.Of(CdmTables.Measurement)[0], second.Of(CdmTables.Measurement)[0]);
    }

    [Fact]
    public void Deleted_bundle_lists_the_keys_of_every_table_a_resource_can_reach()
    {
        var outcome = new OmopMapper(Vocabulary, _deid).MapDeleted(Fhir.Parse("""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"request":{"method":"DELETE","url":"Patient/p1"}},
              {"request":{"method":"DELETE","url":"Condition/c1"}}]}
            """), _sink, _report);

        var rows = _sink.Of(CdmTables.Deletions);
        Assert.Equal(7, outcome.Rows);
        Assert.Contains(rows, r => (string)r[1]! == "person" && (long)r[2]! == _deid.PseudonymousId(OmopKeyDomain.Person, "p1"));
        Assert.Contains(rows, r => (string)r[1]! == "observation" && (long)r[2]! == _deid.PseudonymousId(OmopKeyDomain.Observation, "Condition/c1"));
        Assert.Contains(rows, r => (string)r[1]! == "condition_occurrence" && (long)r[2]! == _deid.PseudonymousId(OmopKeyDomain.ConditionOccurrence, "Condition/c1"));
    }
}
