namespace Ingestion.Omop.Tests;

/// <summary>The demo generator's code table (DemoCodeTable on the demo-server branch), as system|code pairs: the
/// starter vocabulary must map each to a standard concept so the demo needs no download. CVX vaccines and two SNOMED
/// smoking-status values are deliberately left unmapped (not in the vocabulary release the starter draws from):
/// they exercise the concept_id 0 path in the demo. SNOMED 15777000 (Prediabetes) is known but its "Maps to" target lies
/// outside that release's subset, so it keeps its source concept with concept_id 0 (asserted below).</summary>
public class StarterVocabularyDemoCodesTests
{
    private static readonly IVocabulary Starter = StarterVocabulary.Create();

    [Theory]
    [InlineData("SNOMED", "44054006 59621000 195967001 55822004 49436004 162864005 271737000 444814009 40055000 10509002 195662009 233604007")]
    [InlineData("SNOMED", "73761001 80146002 232717009 71651007 430193006 29303009 399208008 117015009")]
    [InlineData("LOINC", "2339-0 4548-4 2093-3 2571-8 2085-9 18262-6 2160-0 2951-2 2823-3 718-7 6690-2 777-3 57698-3 24323-8 58410-2")]
    [InlineData("LOINC", "85354-9 8480-6 8462-4 8867-4 9279-1 8310-5 29463-7 8302-2 39156-5 72166-2")]
    [InlineData("SNOMED", "449868002 300916003 232347008 419474003 185349003 185345009 50849002 32485007")]
    [InlineData("RxNorm", "860975 314076 197361 259255 312961 313782 310965 308182")]
    [InlineData("UCUM", "mg/dL mmol/L /min kg Cel cm % kg/m2 g/dL 10*3/uL mm[Hg]")]
    public void Demo_codes_map_to_standard_concepts(string vocabularyId, string codes)
    {
        foreach (var code in codes.Split(' '))
        {
            Assert.True(Starter.TryGetSourceConcept(vocabularyId, code, out var source), $"{vocabularyId} {code} missing");
            var standard = source.IsStandard || Starter.TargetCount(source, ConceptRelationship.MapsTo) > 0;
            Assert.True(standard, $"{vocabularyId} {code} has no standard mapping");
        }
    }

    [Fact]
    public void Prediabetes_is_a_known_source_concept_without_a_standard_mapping()
    {
        Assert.True(Starter.TryGetSourceConcept("SNOMED", "15777000", out var source));
        Assert.False(source.IsStandard);
        Assert.Equal(0, Starter.TargetCount(source, ConceptRelationship.MapsTo));
    }
}
