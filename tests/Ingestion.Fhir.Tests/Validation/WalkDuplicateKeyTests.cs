using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Testing;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// A caller that validates every resource may leave the duplicate-key check to the validator's walk
/// (<see cref="ResourceParserOptions.DeferDuplicateKeys"/>): the walk says when it ruled duplicates out, and otherwise the
/// line is read again with the check. The outcome must be today's for every input: the same rejection (rule, location,
/// message, the other strict findings) or the same acceptance. <see cref="Outcome"/> is that caller's sequence.
/// </summary>
public sealed class WalkDuplicateKeyTests(ITestOutputHelper output)
{
    private static readonly ResourceParserOptions Deferring = new() { DeferDuplicateKeys = true };

    [Theory]
    [InlineData("""{"resourceType":"Patient","gender":"male","gender":"female"}""")]
    [InlineData("""{"resourceType":"Patient","resourceType":"Patient"}""")]
    [InlineData("""{"resourceType":"Not-A-Type","x":1,"x":2}""")]
    [InlineData("""{"resourceType":"Patient","resourceType":"Not-A-Type"}""")]
    [InlineData("""{"resourceType":"Not-A-Type","resourceType":"Patient"}""")]
    [InlineData("""{"resourceType":{"a":1,"a":2}}""")]
    [InlineData("""{"resourceType":"Patient","name":[{"family":"A","given":["B"],"family":"C"}]}""")]
    [InlineData("""{"resourceType":"Patient","name":[{"family":"A"},{"given":["B"],"given":["C"]}]}""")]
    [InlineData("""{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o1","name":"A","name":"B"}]}""")]
    [InlineData("""{"resourceType":"Patient","contained":[{"resourceType":"Organization","resourceType":"Organization","id":"o1"}]}""")]
    [InlineData("""{"resourceType":"Patient","contained":[{"resourceType":"NoSuchType","id":"o1","id":"o2"}]}""")]
    [InlineData("""{"resourceType":"Patient","extension":[{"url":"u","extension":[{"url":"v","valueString":"a","valueString":"b"}]}]}""")]
    [InlineData("""{"resourceType":"Patient","birthDate":"1970-01-02","_birthDate":{"extension":[{"url":"u","valueCode":"a"}],"id":"x","id":"y"}}""")]
    [InlineData("""{"resourceType":"Patient","birthDate":"1970-01-02","_birthDate":{"extension":[{"url":"u","valueCode":"a","url":"v"}]}}""")]
    [InlineData("""{"resourceType":"Patient","birthDate":"1970-01-02","_birthDate":{"id":"x"},"_birthDate":{"id":"y"}}""")]
    [InlineData("""{"resourceType":"Patient","notAnElement":{"deeper":[[{"a":1,"a":2}]]}}""")]
    [InlineData("""{"resourceType":"Patient","gender":{"a":1,"a":2}}""")]
    [InlineData("""{"resourceType":"Patient","gender":[{"a":1,"a":2}]}""")]
    [InlineData("""{"resourceType":"Patient","name":{"family":"A","family":"B"}}""")]
    [InlineData("""{"resourceType":"Patient","maritalStatus":[{"text":"A","text":"B"}]}""")]
    [InlineData("""{"resourceType":"Patient","name":[[{"family":"A","family":"B"}]]}""")]
    [InlineData("""{"resourceType":"Patient","gender":["wrong","shape"],"name":[{"family":"A","family":"B"}]}""")]
    [InlineData("""{"resourceType":"Patient","gen\u0064er":"male","gender":"female"}""")]
    [InlineData("""{"resourceType":"Patient","name":[{"\u0066amily":"A","famil\u0079":"B"}]}""")]
    [InlineData("""{"resourceType":"Patient","notAnElement":{"a":1,"\u0061":2}}""")]
    [InlineData("""{"resourceType":"Patient","a\/b":1,"a/b":2}""")]
    [InlineData("""{"resourceType":"Basic","code":{"text":"x"},"extension":[{"url":"u","valueCodeableConcept":{"coding":[{"system":"s","code":"1","code":"2"}]}}]}""")]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"urn:x","code":"1","display":"A long enough display text"},{"system":"urn:x","code":"1","display":"A long enough display text","code":"1"}]}}""")]
    public void A_duplicate_anywhere_is_rejected_exactly_as_the_parser_alone_rejects_it(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var expected = ResourceParser.Parse(bytes);
        Assert.Equal(ResourceParser.RuleDuplicateKey, expected.Error?.RuleId);

        Assert.Equal(Describe(expected), Describe(Outcome(UsCoreValidator.CreateBuiltIn(), bytes)));
    }

    [Fact]
    public void A_duplicate_inside_an_object_met_clean_before_in_the_same_context_is_found()
    {
        // The memo skips an object whose bytes it judged clean before: a clean judgement includes the names compared.
        const string coding = """{"system":"http://loinc.org","code":"8302-2","display":"Body Height"}""";
        const string repeated = """{"system":"http://loinc.org","code":"8302-2","display":"Body Height","code":"8302-2"}""";
        var validator = UsCoreValidator.CreateBuiltIn();
        string Line(string c) => $$"""{"resourceType":"Observation","status":"final","code":{"coding":[{{c}}]},"subject":{"reference":"Patient/1"},"category":[{"coding":[{{c}}]}]}""";
        for (var i = 0; i < 3; i++) Assert.True(Outcome(validator, Encoding.UTF8.GetBytes(Line(coding))).Succeeded);

        var bytes = Encoding.UTF8.GetBytes(Line(repeated));
        Assert.Equal(Describe(ResourceParser.Parse(bytes)), Describe(Outcome(validator, bytes)));
    }

    [Fact]
    public void An_object_with_a_duplicate_but_no_issue_is_not_remembered_as_clean()
    {
        // The repeated name holds the same value: nothing else is wrong with the object, yet it must be read again each time.
        const string repeated = """{"system":"http://loinc.org","code":"8302-2","display":"Body Height","code":"8302-2"}""";
        var bytes = Encoding.UTF8.GetBytes($$"""{"resourceType":"Observation","status":"final","code":{"coding":[{{repeated}}]},"subject":{"reference":"Patient/1"},"category":[{"coding":[{{repeated}}]}]}""");
        var validator = UsCoreValidator.CreateBuiltIn();
        var expected = Describe(ResourceParser.Parse(bytes));

        for (var i = 0; i < 3; i++) Assert.Equal(expected, Describe(Outcome(validator, bytes)));
    }

    [Fact]
    public void A_clean_resource_is_accepted_on_the_walks_word_without_a_second_read()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:x","value":"p1"}],"name":[{"family":"A","given":["B"]}],"gender":"female","birthDate":"1970-01-02"}""");
        var parsed = ResourceParser.Parse(bytes, Deferring);
        Assert.False(parsed.DuplicateKeysChecked);
        using var document = parsed.Document!;

        UsCoreValidator.CreateBuiltIn().Validate(document.RootElement, out var noDuplicateKeys);

        Assert.True(noDuplicateKeys);
    }

    [Fact]
    public void A_line_the_strict_scanner_reads_is_checked_for_duplicates_whatever_the_option()
    {
        // An escape that may be an unpaired surrogate sends the line to the scanner, which compares every name itself.
        var parsed = ResourceParser.Parse(Encoding.UTF8.GetBytes("""{"resourceType":"Patient","name":[{"text":"\ud83d\ude00"}]}"""), Deferring);

        Assert.True(parsed.Succeeded);
        Assert.True(parsed.DuplicateKeysChecked);
        parsed.Document!.Dispose();
    }

    /// <summary>
    /// Real resources (Synthea lines, every US Core example) with one property of one object repeated, for every object
    /// in turn, each validated after the clean resource (so the memo holds its clean objects): the outcome is the
    /// parser's rejection at that property. The clean resources: accepted, every Synthea line on the walk's word.
    /// </summary>
    [Fact]
    [Trait("Category", TestCategories.Conformance)]
    public void Every_object_of_real_resources_with_one_property_repeated_is_rejected_as_the_parser_rejects_it()
    {
        var validator = UsCoreValidator.CreateBuiltIn();
        var resources = ExampleCorpus.SyntheaLines(perFile: 15).Select(l => (l.Text, l.Where, Synthea: true))
            .Concat(Directory.GetFiles(SharedData.PathOf("us-core", "examples"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => (File.ReadAllText(f), Path.GetFileName(f), Synthea: false)));
        int mutations = 0, proven = 0, synthea = 0;
        foreach (var (text, where, isSynthea) in resources)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var parsed = ResourceParser.Parse(bytes, Deferring);
            Assert.True(parsed.Succeeded, where);
            using (var document = parsed.Document!)
            {
                validator.Validate(document.RootElement, out var noDuplicateKeys);
                if (noDuplicateKeys) proven++;
                if (isSynthea) Assert.True(noDuplicateKeys, where);
                if (isSynthea) synthea++;
            }
            using var clean = ResourceDocument.Parse(bytes);
            for (var target = 0; ; target++)
            {
                if (DuplicateKeyTests.PropertyRepeater.Repeat(clean.RootElement, target) is not { } mutated) break;
                var expected = ResourceParser.Parse(mutated.Json);
                Assert.Equal(ResourceParser.RuleDuplicateKey, expected.Error?.RuleId);
                Assert.True(Describe(expected) == Describe(Outcome(validator, mutated.Json)), $"{where}, object {target}");
                mutations++;
            }
        }
        output.WriteLine($"{mutations} objects with a repeated property, each rejected as the parser rejects it; clean resources proven by the walk: {proven} ({synthea} Synthea lines, all)");
        Assert.True(mutations > 10_000);
    }

    /// <summary>Every Synthea 100-patient line: proven clean by the walk, so the pipeline reads none of them twice.</summary>
    [Fact]
    [Trait("Category", TestCategories.Conformance)]
    public void Every_synthea_line_is_proven_free_of_duplicates_by_the_walk()
    {
        var validator = UsCoreValidator.CreateBuiltIn();
        var lines = 0;
        foreach (var (text, where) in ExampleCorpus.SyntheaLines())
        {
            var parsed = ResourceParser.Parse(Encoding.UTF8.GetBytes(text), Deferring);
            using var document = parsed.Document!;
            validator.Validate(document.RootElement, out var noDuplicateKeys);
            Assert.True(noDuplicateKeys, where);
            lines++;
        }
        Assert.True(lines > 30_000);
    }

    /// <summary>The pipeline's sequence: parse leaving duplicates to the walk, validate, read again with the check unless the walk ruled them out.</summary>
    private static ResourceParseResult Outcome(UsCoreValidator validator, byte[] line)
    {
        var parsed = ResourceParser.Parse(line, Deferring);
        if (!parsed.Succeeded || parsed.DuplicateKeysChecked) return parsed;
        validator.Validate(parsed.Document!.RootElement, out var noDuplicateKeys);
        if (noDuplicateKeys) return parsed;
        var strict = ResourceParser.Parse(line);
        if (!strict.Succeeded) parsed.Document!.Dispose();
        else strict.Document!.Dispose();
        return strict.Succeeded ? parsed : strict;
    }

    private static string Describe(ResourceParseResult result)
    {
        var text = result.Error is { } e ? $"{e.Severity} {e.Code} {e.RuleId} {e.Location} {e.Message}" : $"accepted {result.ResourceType}";
        if (result.JsonIssues is { } issues) text += " | " + string.Join("; ", issues.Select(i => $"{i.Severity} {i.RuleId} {i.Location} {i.Message}"));
        result.Document?.Dispose();
        return text;
    }
}
