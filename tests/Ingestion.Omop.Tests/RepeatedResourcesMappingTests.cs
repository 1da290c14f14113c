namespace Ingestion.Omop.Tests;

/// <summary>
/// A file repeats codes, dates and references, and the mapper remembers them per file (<see cref="MappedRows"/>):
/// a resource mapped after many others in the same file gives the rows and outcome it gives alone in a file of its
/// own, for mapped, unmapped and one-to-many codes and for bad dates.
/// </summary>
public class RepeatedResourcesMappingTests
{
    private static readonly IVocabulary Vocabulary = TestVocabulary.Create();

    private static string Observation(string id, string code, string when, string value = "120") => $$$"""
        {"resourceType":"Observation","id":"{{{id}}}","status":"final","subject":{"reference":"Patient/p{{{id.Length % 3}}}"},
         "encounter":{"reference":"Encounter/e1"},"effectiveDateTime":"{{{when}}}",
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"{{{code}}}"}]},
         "valueQuantity":{"value":{{{value}}},"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}
        """;

    private static string Condition(string id, string system, string code, string onset) => $$$"""
        {"resourceType":"Condition","id":"{{{id}}}","subject":{"reference":"Patient/p1"},"onsetDateTime":"{{{onset}}}",
         "code":{"coding":[{"system":"{{{system}}}","code":"{{{code}}}"}]}}
        """;

    private static string Medication(string id, string code) => $$$"""
        {"resourceType":"MedicationRequest","id":"{{{id}}}","status":"active","intent":"order","subject":{"reference":"Patient/p2"},
         "authoredOn":"2020-01-02T08:00:00Z","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"{{{code}}}"}]}}
        """;

    private static readonly string[] All =
    [
        Observation("o1", "8480-6", "2020-03-04T10:00:00-05:00"),
        Observation("o22", "8480-6", "2020-03-04T10:00:00-05:00", "120.50"),
        Observation("o333", "9999-9", "2020-03-04"), // not in the vocabulary: concept 0, source kept
        Observation("o4", "8462-4", "2020-13-04T10:00:00Z"), // no such month: quarantined
        Condition("c1", "http://snomed.info/sct", "275272006", "2020-03-04"), // known, no standard: concept 0
        Condition("c2", "http://hl7.org/fhir/sid/icd-10-cm", "Z87.891", "2020-03-04T10:00:00Z"), // Maps to + Maps to value
        Condition("c3", "http://snomed.info/sct", "44054006", "not a date"),
        Medication("m1", "10831"), // two "Maps to": two rows
    ];

    public static TheoryData<string> Resources
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var resource in All) data.Add(resource);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public void A_resource_maps_the_same_after_the_files_other_resources_as_alone(string json)
    {
        var mapper = new OmopMapper(Vocabulary, new FakeDeidentifier());
        var alone = new RecordingSink();
        var expectedOutcome = mapper.Map(Fhir.Parse(json), alone, new MappingReport());

        var file = new RecordingSink();
        var report = new MappingReport();
        // Every resource twice first (their codes, dates and references remembered), then this one again.
        foreach (var other in All.Concat(All)) mapper.Map(Fhir.Parse(other), file, report);
        var before = file.Rows.ToDictionary(t => t.Key, t => t.Value.Count);
        var outcome = mapper.Map(Fhir.Parse(json), file, report);

        Assert.Equal(expectedOutcome, outcome);
        foreach (var (table, rows) in alone.Rows)
        {
            var added = file.Rows[table].Skip(before.GetValueOrDefault(table)).ToList();
            Assert.Equal(rows.Count, added.Count);
            for (var i = 0; i < rows.Count; i++) Assert.Equal(rows[i], added[i]);
        }
    }
}
