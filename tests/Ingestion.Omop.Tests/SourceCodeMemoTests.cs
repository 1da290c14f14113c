using System.Text.Json;

namespace Ingestion.Omop.Tests;

/// <summary>
/// The file's memo of repeated codings (<see cref="SourceCodeMemo"/>): every coding resolves, the first time and on
/// every repeat, to what the resolver gives for its system and code strings, with the same standard concepts.
/// </summary>
public class SourceCodeMemoTests
{
    private static readonly IVocabulary Vocabulary = TestVocabulary.Create();

    [Theory]
    [InlineData("\"http://loinc.org\"", "\"8480-6\"", null)] // standard, maps to itself
    [InlineData("\"http://snomed.info/sct\"", "\"275272006\"", null)] // known but unmapped: concept 0, source kept
    [InlineData("\"http://snomed.info/sct\"", "\"999999\"", null)] // not in the vocabulary
    [InlineData("\"http://www.nlm.nih.gov/research/umls/rxnorm\"", "\"10831\"", null)] // two "Maps to"
    [InlineData("\"http://hl7.org/fhir/sid/icd-10-cm\"", "\"Z87.891\"", null)] // Maps to + Maps to value
    [InlineData("\"http://example.org/local\"", "\"A1\"", null)] // a system OMOP has no vocabulary for
    [InlineData("\"\"", "\"A1\"", null)] // an empty system is a system
    [InlineData("null", "\"A1\"", null)] // no system
    [InlineData("7", "\"A1\"", null)] // a system of the wrong kind
    [InlineData("null", "\"kg\"", FhirCodeSystems.Ucum)] // a quantity's unit: UCUM when no system
    [InlineData("\"http://unitsofmeasure.org\"", "\"kg\"", FhirCodeSystems.Ucum)]
    [InlineData("\"http://loinc.org\"", "\"8480\\u002D6\"", null)] // escaped text
    [InlineData("\"http://loinc.org\"", "\"\"", null)] // an empty code
    [InlineData("\"http://loinc.org\"", "5", null)] // a code of the wrong kind
    public void A_coding_resolves_as_the_resolver_does_the_first_time_and_every_repeat(string system, string code, string? defaultSystem)
    {
        var resolver = new ConceptResolver(Vocabulary);
        var memo = new SourceCodeMemo();
        var coding = Fhir.Parse($$"""{"system":{{system}},"code":{{code}}}""");
        var (systemValue, codeValue) = (coding.GetProperty("system"), coding.GetProperty("code"));
        var expected = resolver.Resolve(FhirJson.SystemUri(systemValue) ?? defaultSystem, FhirJson.String(codeValue));

        for (var i = 0; i < 3; i++)
        {
            var resolved = memo.Resolve(systemValue, codeValue, resolver, defaultSystem);
            Assert.Equal(expected, resolved);
            Assert.Equal(ConceptResolver.StandardCount(expected), ConceptResolver.StandardCount(resolved));
            Assert.Equal(ConceptResolver.FirstStandardId(expected), ConceptResolver.FirstStandardId(resolved));
            Assert.Equal(ConceptResolver.MapsToValue(expected), ConceptResolver.MapsToValue(resolved));
        }
    }

    [Fact]
    public void The_standard_concepts_a_code_carries_are_the_vocabularys_maps_to_in_order()
    {
        var resolver = new ConceptResolver(Vocabulary);
        var code = resolver.Resolve(FhirCodeSystems.RxNorm, "10831");
        var source = code.Concept;

        Assert.Equal(Vocabulary.TargetCount(source, ConceptRelationship.MapsTo), ConceptResolver.StandardCount(code));
        for (var k = 0; k < ConceptResolver.StandardCount(code); k++)
            Assert.Equal(Vocabulary.Target(source, ConceptRelationship.MapsTo, k), resolver.Standard(code, k));
        var history = resolver.Resolve("http://hl7.org/fhir/sid/icd-10-cm", "Z87.891");
        Assert.Equal(TestVocabulary.HistoryOfFinding, ConceptResolver.FirstStandardId(history));
        Assert.Equal(TestVocabulary.NicotineDependence, ConceptResolver.MapsToValue(history));
        Assert.Equal(0, ConceptResolver.StandardCount(resolver.Resolve(FhirCodeSystems.Snomed, "275272006")));
    }

    [Fact]
    public void Many_more_codes_than_slots_interleaved_still_resolve_each_to_its_own_code()
    {
        var resolver = new ConceptResolver(Vocabulary);
        var memo = new SourceCodeMemo();
        var systems = new[] { "\"http://loinc.org\"", "\"http://snomed.info/sct\"", "\"http://example.org/x\"" };
        var codings = Enumerable.Range(0, 5000).Select(i => Fhir.Parse($$"""{"system":{{systems[i % 3]}},"code":"{{(i % 7 == 0 ? "8480-6" : "c" + i)}}"}"""))
            .ToArray();

        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var coding in codings)
            {
                var (system, code) = (coding.GetProperty("system"), coding.GetProperty("code"));
                Assert.Equal(resolver.Resolve(FhirJson.SystemUri(system), code.GetString()), memo.Resolve(system, code, resolver));
            }
        }
    }

    [Fact]
    public void A_codeable_concept_picks_the_same_coding_through_the_memo_however_often_it_repeats()
    {
        var resolver = new ConceptResolver(Vocabulary);
        var memo = new SourceCodeMemo();
        // The first known coding wins; else the first whose vocabulary is OMOP's or none (not a system URI); else the first.
        var concepts = new[]
        {
            """{"coding":[{"system":"http://example.org/x","code":"1"},{"system":"http://loinc.org","code":"8480-6"}]}""",
            """{"coding":[{"system":"http://example.org/x","code":"1"},{"system":"http://snomed.info/sct","code":"999999"}]}""",
            """{"coding":[{"system":"http://example.org/x","code":"1"},{"code":"2"}]}""",
            """{"coding":[{"display":"no code"}]}""",
        }.Select(Fhir.Parse).ToArray();
        var expected = concepts.Select(c => resolver.Resolve(c, new SourceCodeMemo())).ToArray();

        for (var pass = 0; pass < 3; pass++)
            for (var i = 0; i < concepts.Length; i++) Assert.Equal(expected[i], resolver.Resolve(concepts[i], memo));
        Assert.Equal("8480-6", expected[0].Code);
        Assert.Equal(("SNOMED", "999999"), (expected[1].ReportVocabulary, expected[1].Code));
        Assert.Equal("2", expected[2].SourceValue);
        Assert.Null(expected[3].Code);
    }
}
