using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Xunit;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// A binding's code lookup from the document's raw UTF-8 answers as the text comparison it replaces: a code alone is
/// in the set when any entry has it; a system and code when some entry's "system|code" is that text — with escapes,
/// non-ASCII text, a '|' inside a system or a code, entries without a system, and values that are not strings.
/// </summary>
public sealed class CompiledCodeSetTests
{
    private static readonly CodeEntry[] Entries =
    [
        new("http://loinc.org", "8867-4"),
        new("http://snomed.info/sct", "44054006"),
        new("http://example.org/a|b", "c"),
        new("http://example.org/x", "y|z"),
        new(null, "no-system"),
        new("urn:example:ñandú", "código"),
        new("http://loinc.org", "8867-4"), // a duplicate
    ];

    [Theory]
    [InlineData("\"8867-4\"")]
    [InlineData("\"44054006\"")]
    [InlineData("\"no-system\"")]
    [InlineData("\"c\"")]
    [InlineData("\"y|z\"")]
    [InlineData("\"código\"")]
    [InlineData("\"c\\u00f3digo\"")]
    [InlineData("\"8867\\u002d4\"")]
    [InlineData("\"8867-\"")]
    [InlineData("\"\"")]
    [InlineData("\"88674\"")]
    [InlineData("8867")]
    [InlineData("null")]
    public void A_code_alone_is_found_as_the_text_comparison_finds_it(string code)
    {
        var codes = new CompiledCodeSet("http://example.org/vs", Entries);
        using var document = ResourceDocument.Parse(code);

        Assert.Equal(Oracle(null, document.RootElement), codes.ContainsCode(document.RootElement));
    }

    [Theory]
    [InlineData("\"http://loinc.org\"", "\"8867-4\"")]
    [InlineData("\"http://loinc.org\"", "\"44054006\"")]
    [InlineData("\"http://snomed.info/sct\"", "\"44054006\"")]
    [InlineData("\"http://loinc.org/\"", "\"8867-4\"")]
    [InlineData("\"http://loinc.or\"", "\"8867-4\"")]
    [InlineData("\"http:\\/\\/loinc.org\"", "\"8867-4\"")]
    [InlineData("\"http://example.org/a|b\"", "\"c\"")]
    [InlineData("\"http://example.org/a\"", "\"b|c\"")]
    [InlineData("\"http://example.org/x|y\"", "\"z\"")]
    [InlineData("\"http://example.org/x\"", "\"y|z\"")]
    [InlineData("\"http://example.org/x\"", "\"y\"")]
    [InlineData("\"urn:example:ñandú\"", "\"código\"")]
    [InlineData("\"urn:example:\\u00f1and\\u00fa\"", "\"c\\u00f3digo\"")]
    [InlineData("\"\"", "\"no-system\"")]
    [InlineData("\"x\"", "\"no-system\"")]
    [InlineData("null", "\"no-system\"")]
    [InlineData("42", "\"8867-4\"")]
    [InlineData("\"http://loinc.org\"", "8867")]
    public void A_system_and_code_are_found_as_the_text_comparison_finds_them(string system, string code)
    {
        var codes = new CompiledCodeSet("http://example.org/vs", Entries);
        using var systemDocument = ResourceDocument.Parse(system);
        using var codeDocument = ResourceDocument.Parse(code);

        Assert.Equal(Oracle(systemDocument.RootElement, codeDocument.RootElement), codes.Contains(systemDocument.RootElement, codeDocument.RootElement));
    }

    [Fact]
    public void A_missing_system_looks_the_code_up_alone()
    {
        var codes = new CompiledCodeSet("http://example.org/vs", Entries);
        using var code = ResourceDocument.Parse("\"no-system\"");

        Assert.True(codes.Contains(default, code.RootElement));
        Assert.False(new CompiledCodeSet("http://example.org/empty", []).Contains(default, code.RootElement));
    }

    /// <summary>The set semantics as strings: "system|code" among the entries' "system|code", a code among all codes.</summary>
    private static bool Oracle(ResourceElement? system, ResourceElement code)
    {
        if (code.ValueKind != JsonValueKind.String) return false;
        if (system is { ValueKind: JsonValueKind.String } s)
            return Entries.Any(e => e.System is not null && e.System + "|" + e.Code == s.GetString() + "|" + code.GetString());
        return Entries.Any(e => e.Code == code.GetString());
    }
}
