using System.Text;
using System.Text.RegularExpressions;
using Ingestion.Fhir.Validation.FhirPath;
using Ingestion.Testing;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// htmlChecks() decides ASCII narratives without its regex (building it costs a process ~0.1 CPU-s): the scan must
/// find exactly what the regex finds.
/// </summary>
public sealed partial class FhirPathHtmlTests
{
    [Theory]
    [InlineData("<div>plain</div>", false)]
    [InlineData("<div><script>x</script></div>", true)]
    [InlineData("<div>< \t SCRIPT>x</div>", true)]
    [InlineData("<div><scripts>x</div>", false)]
    [InlineData("<div><script_x/></div>", false)]
    [InlineData("<div><frameset></div>", true)]
    [InlineData("<div><frame1></div>", false)]
    [InlineData("<div><style", true)]
    [InlineData("<div><a onClick = \"x\">y</a></div>", true)]
    [InlineData("<div><a on=\"x\">y</a></div>", false)]
    [InlineData("<div>on the = sign</div>", false)]
    [InlineData("<div> ontop\t\v=</div>", true)]
    [InlineData("<div><a href=\"JavaScript:x\">y</a></div>", true)]
    [InlineData("<div>javascript\u001a</div>", false)]
    [InlineData("<div>link<link/></div>", true)]
    public void Ascii_scan_finds_what_the_regex_finds(string text, bool forbidden)
    {
        Assert.Equal(forbidden, FhirPathHtml.Forbidden().IsMatch(text));
        Assert.Equal(forbidden, FhirPathHtml.AsciiHasForbidden(text));
        Assert.Equal(forbidden, FhirPathHtml.HasForbidden(text));
    }

    [Fact]
    public void Ascii_scan_equals_the_regex_on_random_markup()
    {
        // Fragments that make and break every branch: tags in mixed case, spaces of each kind, word characters after
        // a tag name, on-attributes, javascript: with near misses.
        string[] pieces =
        [
            "<", "< ", "<\t", ">", "/", " ", "\t", "\n", "\v", "\f", "\r", "\u001c", "=", ":", "_", "1", "x", "a", "-",
            "script", "SCRIPT", "Object", "applet", "embed", "iframe", "frame", "frameset", "form", "input", "button",
            "select", "textarea", "base", "link", "meta", "style", "div", "on", "ON", "oN", "click", "load",
            "javascript", "JavaScript:", "javascript:", "javas", "cript:", "j",
        ];
        var random = new Random(19);
        var builder = new StringBuilder();
        for (var n = 0; n < 200_000; n++)
        {
            builder.Clear();
            var count = random.Next(1, 9);
            for (var p = 0; p < count; p++) builder.Append(pieces[random.Next(pieces.Length)]);
            var text = builder.ToString();
            Assert.True(FhirPathHtml.Forbidden().IsMatch(text) == FhirPathHtml.AsciiHasForbidden(text), $"differs on \"{Regex.Escape(text)}\"");
        }
    }

    [Theory]
    [InlineData("<div>\u00a0onclick=x</div>", true)]
    [InlineData("<div>Jos\u00e9 <script/></div>", true)]
    [InlineData("<div>Jos\u00e9</div>", false)]
    public void Text_beyond_ascii_goes_to_the_regex(string text, bool forbidden)
    {
        Assert.Equal(FhirPathHtml.Forbidden().IsMatch(text), forbidden);
        Assert.Equal(forbidden, FhirPathHtml.HasForbidden(text));
    }

    [Fact]
    [Trait("Category", TestCategories.Conformance)]
    public void Ascii_scan_equals_the_regex_on_every_narrative_of_the_examples_and_Synthea()
    {
        var checkedNarratives = 0;
        var texts = ExampleCorpus.ExampleFiles().Select(File.ReadAllText).Concat(ExampleCorpus.SyntheaLines().Select(l => l.Text));
        foreach (var json in texts)
        {
            foreach (Match div in DivValue().Matches(json))
            {
                var text = System.Text.Json.JsonSerializer.Deserialize<string>(div.Groups[1].Value)!;
                if (!Ascii.IsValid(text)) continue;
                Assert.True(FhirPathHtml.Forbidden().IsMatch(text) == FhirPathHtml.AsciiHasForbidden(text), "a narrative differs");
                checkedNarratives++;
            }
        }
        Assert.True(checkedNarratives > 1000, $"only {checkedNarratives} narratives");
    }

    [GeneratedRegex("\"div\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\")")]
    private static partial Regex DivValue();
}
