namespace Ingestion.Omop.Tests;

public class StarterVocabularyTests
{
    private static readonly IVocabulary Starter = StarterVocabulary.Create();

    [Fact]
    public void Holds_every_fixed_concept_the_mapper_emits_as_a_standard_concept_of_its_domain()
    {
        foreach (var concept in FixedConcepts.All)
        {
            Assert.True(Starter.TryGetConcept(concept.ConceptId, out var known), $"{concept.ConceptId} missing from the starter vocabulary");
            Assert.Equal((concept.Domain, concept.Vocabulary, true), (known.DomainId, known.VocabularyId, known.IsStandard));
        }
    }

    [Theory]
    [InlineData("kg", 9529)]
    [InlineData("mm[Hg]", 8876)]
    [InlineData("/min", 8541)]
    [InlineData("Cel", 586323)]
    [InlineData("mg/dL", 8840)]
    [InlineData("%", 8554)]
    public void Resolves_common_ucum_units(string code, int conceptId)
    {
        Assert.True(Starter.TryGetSourceConcept("UCUM", code, out var unit));
        Assert.Equal(conceptId, unit.ConceptId);
    }

    [Fact]
    public void Maps_the_demo_vital_signs_and_conditions_to_standard_concepts()
    {
        var mapper = new OmopMapper(Starter, new FakeDeidentifier());
        var sink = new RecordingSink();
        var report = new MappingReport();
        mapper.Map(Fhir.Parse("""
            {"resourceType":"Observation","id":"o1","status":"final","category":[{"coding":[{"code":"vital-signs"}]}],
             "code":{"coding":[{"system":"http://loinc.org","code":"8302-2"}]},"subject":{"reference":"Patient/p"},
             "effectiveDateTime":"2020-01-01","valueQuantity":{"value":170,"system":"http://unitsofmeasure.org","code":"cm"}}
            """), sink, report);
        mapper.Map(Fhir.Parse("""
            {"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]},
             "subject":{"reference":"Patient/p"},"onsetDateTime":"2020-01-01"}
            """), sink, report);

        Assert.Equal(0, report.UnmappedRate("measurement"));
        Assert.Equal(0, report.UnmappedRate("condition_occurrence"));
        Assert.Equal(8582, sink.Of(CdmTables.Measurement)[0][CdmTables.Measurement.IndexOf("unit_concept_id")]);
    }

    [Fact]
    public void Records_its_version()
    {
        Assert.StartsWith("starter", Starter.Version);
    }
}
