namespace Ingestion.Omop.Tests;

public class CodeLookupTests
{
    private static readonly IVocabulary Vocabulary = TestVocabulary.Create();

    [Theory]
    [InlineData("http://loinc.org|8480-6", "http://loinc.org", "8480-6")]
    [InlineData("SNOMED|44054006", "SNOMED", "44054006")]
    public void Parses_system_and_code(string input, string system, string code)
    {
        Assert.Equal((system, code), CodeLookup.Parse(input));
    }

    [Theory]
    [InlineData("8480-6")]
    [InlineData("|8480-6")]
    [InlineData("http://loinc.org|")]
    public void Rejects_input_without_both_parts(string input)
    {
        Assert.Null(CodeLookup.Parse(input));
    }

    [Fact]
    public void Prints_the_source_concept_and_both_kinds_of_targets()
    {
        var lines = CodeLookup.Find(Vocabulary, "http://hl7.org/fhir/sid/icd-10-cm", "Z87.891").Lines().ToList();

        Assert.StartsWith($"source   {TestVocabulary.HistoryOfNicotine}  ICD10CM Z87.891", lines[0]);
        Assert.Contains(lines, l => l.StartsWith($"maps to  {TestVocabulary.HistoryOfFinding}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"value    {TestVocabulary.NicotineDependence}", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_code_says_it_maps_to_concept_0()
    {
        var result = CodeLookup.Find(Vocabulary, "CVX", "140");

        Assert.Null(result.Source);
        Assert.Contains("concept_id 0", Assert.Single(result.Lines()));
    }
}
