using Ingestion.Privacy;

namespace Ingestion.Omop.Tests;

/// <summary>
/// The file's memo of repeated references (<see cref="ReferenceIds"/>): the ids and keys it hands out are the ones the
/// reference parser and the de-identifier give, however references repeat, interleave or overflow its slots.
/// </summary>
public class ReferenceIdsTests
{
    private static readonly IVocabulary Vocabulary = TestVocabulary.Create();

    [Theory]
    [InlineData("Patient/p1", "Patient")]
    [InlineData("urn:uuid:3f2a5d1e-0000-4000-8000-000000000001", "Patient")]
    [InlineData("https://ehr.example/fhir/Patient/p2/_history/3", "Patient")]
    [InlineData("Encounter/e1", "Patient")]
    [InlineData("#contained", "Patient")]
    [InlineData("Patient\\/p3", "Patient")]
    [InlineData("Practitioner/x", "Practitioner")]
    public void A_reference_resolves_to_the_parsers_id_the_first_time_and_every_repeat(string reference, string type)
    {
        var memo = new ReferenceIds();
        var element = Fhir.Parse($$"""{"reference":"{{reference}}"}""");
        var expected = FhirJson.LogicalId(element, type);

        for (var i = 0; i < 3; i++) Assert.Equal(expected, memo.LogicalId(element, type));
    }

    [Theory]
    [InlineData("""{"reference":"Practitioner/dr1","display":"Dr. A"}""", """{"reference":"Practitioner/dr1","display":"Dr. B"}""")]
    [InlineData("""{"display":"Dr. A","reference":"Practitioner/dr1"}""", """{"reference":"Practitioner/dr2"}""")]
    [InlineData("""{"reference":"Practitioner/dr1"}""", """{"reference":"Practitioner/dr1","reference":"Practitioner/dr2"}""")]
    [InlineData("""{"reference":"Practitioner/dr1"}""", """{"reference":"Practitioner\/dr1"}""")]
    [InlineData("""{"reference":"Practitioner/dr1"}""", """{"display":"no reference"}""")]
    public void References_remembered_by_their_whole_text_resolve_as_the_parser_does_whatever_their_other_members(string first, string second)
    {
        var memo = new ReferenceIds();
        var a = Fhir.Parse(first);
        var b = Fhir.Parse(second);

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(FhirJson.LogicalId(a, "Practitioner"), memo.LogicalId(a, "Practitioner"));
            Assert.Equal(FhirJson.LogicalId(b, "Practitioner"), memo.LogicalId(b, "Practitioner"));
        }
    }

    [Fact]
    public void The_same_text_expected_as_another_type_is_not_taken_from_the_memo()
    {
        var memo = new ReferenceIds();
        var element = Fhir.Parse("""{"reference":"Patient/p1"}""");

        Assert.Equal("p1", memo.LogicalId(element, "Patient"));
        Assert.Null(memo.LogicalId(element, "Encounter"));
        Assert.Equal("p1", memo.LogicalId(element, "Patient"));
    }

    [Fact]
    public void Missing_or_non_string_references_have_no_id()
    {
        var memo = new ReferenceIds();

        Assert.Null(memo.LogicalId(default, "Patient"));
        Assert.Null(memo.LogicalId(Fhir.Parse("""{"display":"x"}"""), "Patient"));
        Assert.Null(memo.LogicalId(Fhir.Parse("""{"reference":42}"""), "Patient"));
    }

    [Fact]
    public void Keys_are_the_deidentifiers_per_domain_and_a_repeat_is_derived_once()
    {
        var deid = new CountingDeidentifier();
        var memo = new ReferenceIds();
        var id = memo.LogicalId(Fhir.Parse("""{"reference":"Patient/p1"}"""), "Patient")!;

        Assert.Equal(deid.Inner.PseudonymousId(OmopKeyDomain.Person, "p1"), memo.Key(OmopKeyDomain.Person, id, deid));
        Assert.Equal(deid.Inner.PseudonymousId(OmopKeyDomain.Person, "p1"), memo.Key(OmopKeyDomain.Person, id, deid));
        Assert.Equal(1, deid.Calls);
        Assert.Equal(deid.Inner.PseudonymousId(OmopKeyDomain.Provider, "p1"), memo.Key(OmopKeyDomain.Provider, id, deid));
        Assert.Equal(deid.Inner.PseudonymousId(OmopKeyDomain.Person, "p1"), memo.Key(OmopKeyDomain.Person, id, deid));
    }

    [Fact]
    public void Event_domains_and_ids_not_from_the_memo_always_go_to_the_deidentifier()
    {
        var deid = new CountingDeidentifier();
        var memo = new ReferenceIds();
        var id = memo.LogicalId(Fhir.Parse("""{"reference":"Patient/p1"}"""), "Patient")!;

        memo.Key(OmopKeyDomain.Measurement, id, deid);
        memo.Key(OmopKeyDomain.Measurement, id, deid);
        memo.Key(OmopKeyDomain.Person, new string("p1".AsSpan()), deid);
        memo.Key(OmopKeyDomain.Person, new string("p1".AsSpan()), deid);

        Assert.Equal(4, deid.Calls);
    }

    [Fact]
    public void A_patient_referenced_by_every_resource_keeps_its_slot_while_many_encounters_pass()
    {
        var deid = new CountingDeidentifier();
        var memo = new ReferenceIds();
        var patient = Fhir.Parse("""{"reference":"Patient/p1"}""");
        for (var i = 0; i < 40; i++)
        {
            var id = memo.LogicalId(patient, "Patient")!;
            Assert.Equal(deid.Inner.PseudonymousId(OmopKeyDomain.Person, "p1"), memo.Key(OmopKeyDomain.Person, id, deid));
            var encounter = memo.LogicalId(Fhir.Parse($$"""{"reference":"Encounter/e{{i}}"}"""), "Encounter")!;
            Assert.Equal($"e{i}", encounter);
            Assert.Equal(deid.Inner.PseudonymousId(OmopKeyDomain.VisitOccurrence, $"e{i}"), memo.Key(OmopKeyDomain.VisitOccurrence, encounter, deid));
        }

        // One derivation for the patient, one per encounter.
        Assert.Equal(41, deid.Calls);
    }

    [Fact]
    public void A_file_of_interleaved_patients_and_encounters_maps_to_the_same_rows_as_one_mapping_per_resource()
    {
        // More distinct references than the memo has slots, in an order that evicts and brings them back.
        var resources = Enumerable.Range(0, 60).Select(i =>
            $$$"""
            {"resourceType":"Condition","id":"c{{{i}}}","subject":{"reference":"Patient/p{{{i % 11}}}"},
             "encounter":{"reference":"urn:uuid:00000000-0000-4000-8000-0000000000{{{i % 7:D2}}}"},
             "asserter":{"reference":"Practitioner/dr{{{i % 3}}}"},"onsetDateTime":"2020-03-04T10:00:00-05:00",
             "code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]}}
            """).ToList();
        var deid = new FakeDeidentifier();
        var mapper = new OmopMapper(Vocabulary, deid);

        var oneFile = new RecordingSink();
        foreach (var json in resources) mapper.Map(Fhir.Parse(json), oneFile, new MappingReport());
        var expected = resources.SelectMany(json =>
        {
            var alone = new RecordingSink();
            mapper.Map(Fhir.Parse(json), alone, new MappingReport());
            return alone.Of(CdmTables.ConditionOccurrence);
        }).ToList();

        var rows = oneFile.Of(CdmTables.ConditionOccurrence);
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++) Assert.Equal(expected[i], rows[i]);
        Assert.Equal(deid.PseudonymousId(OmopKeyDomain.Person, "p3"), rows[14][CdmTables.ConditionOccurrence.IndexOf("person_id")]);
        Assert.Equal(deid.PseudonymousId(OmopKeyDomain.Provider, "dr2"), rows[14][CdmTables.ConditionOccurrence.IndexOf("provider_id")]);
        Assert.Equal(deid.PseudonymousId(OmopKeyDomain.VisitOccurrence, "00000000-0000-4000-8000-000000000000"),
            rows[14][CdmTables.ConditionOccurrence.IndexOf("visit_occurrence_id")]);
    }

    private sealed class CountingDeidentifier : IDeidentifier
    {
        public FakeDeidentifier Inner { get; } = new();
        public int Calls { get; private set; }
        public string KeyFingerprint => Inner.KeyFingerprint;

        public long PseudonymousId(OmopKeyDomain domain, string logicalId)
        {
            Calls++;
            return Inner.PseudonymousId(domain, logicalId);
        }

        public int DateOffsetDays(string patientLogicalId) => Inner.DateOffsetDays(patientLogicalId);
        public DateOnly? ShiftDate(string patientLogicalId, string fhirDate) => Inner.ShiftDate(patientLogicalId, fhirDate);
        public DateTime? ShiftDateTime(string patientLogicalId, string fhirDateTime) => Inner.ShiftDateTime(patientLogicalId, fhirDateTime);
        public ShiftedBirth ShiftBirth(string patientLogicalId, string fhirBirthDate) => Inner.ShiftBirth(patientLogicalId, fhirBirthDate);
        public string? GeneralizeZip(string? postalCode) => Inner.GeneralizeZip(postalCode);
    }
}
