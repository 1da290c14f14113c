using Ingestion.Fhir.Json;
using System.Text;
using Ingestion.Fhir.Validation;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>FHIR JSON rules a plain JSON parser lets through: each case as a pass/fail pair, located, without values.</summary>
public sealed class StrictJsonTests
{
    private const string Secret = "Jane-Secret-Doe";
    private static readonly UsCoreValidator Validator = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false });

    private static string Patient(string extra) =>
        $$"""{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:x","value":"1"}],"name":[{"family":"{{Secret}}"}],"gender":"male"{{extra}}}""";

    [Fact]
    public void A_second_resourceType_does_not_silently_win()
    {
        Assert.True(Parse(Patient("")).Succeeded);

        var result = Parse("""{"resourceType":"Patient","id":"p1","resourceType":"Observation"}""");
        Assert.False(result.Succeeded);
        Assert.Equal(ResourceParser.RuleDuplicateKey, result.Error!.RuleId);
        Assert.Equal(IssueSeverity.Fatal, result.Error.Severity);
        Assert.Equal("Patient.resourceType", result.Error.Location);
    }

    [Fact]
    public void A_duplicate_written_with_an_escape_is_still_a_duplicate()
    {
        var result = Parse("""{"resourceType":"Patient","resource\u0054ype":"Observation"}""");
        Assert.Equal(ResourceParser.RuleDuplicateKey, result.Error!.RuleId);
    }

    [Fact]
    public void Duplicate_keys_are_found_in_nested_objects_but_the_same_key_in_sibling_objects_is_fine()
    {
        Assert.True(Parse($$"""{"resourceType":"Patient","name":[{"family":"A"},{"family":"{{Secret}}"}]}""").Succeeded);

        var result = Parse($$"""{"resourceType":"Patient","name":[{"given":["x"]},{"family":"A","family":"{{Secret}}"}]}""");
        Assert.Equal(ResourceParser.RuleDuplicateKey, result.Error!.RuleId);
        Assert.Equal("Patient.name[1].family", result.Error.Location);
        Assert.DoesNotContain(Secret, result.Error.Message);
    }

    [Fact]
    public void Invalid_utf8_in_a_value_is_fatal_at_its_element_and_valid_multibyte_text_is_not()
    {
        Assert.True(Parse(Encoding.UTF8.GetBytes("""{"resourceType":"Patient","name":[{"family":"Zoë Ñandú 漢字"}]}""")).Succeeded);

        var bytes = Encoding.UTF8.GetBytes("""{"resourceType":"Patient","name":[{"given":["ok","BAD"]}]}""");
        var at = Encoding.UTF8.GetString(bytes).IndexOf("BAD", StringComparison.Ordinal);
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28; // a lead byte followed by a non-continuation byte
        var result = Parse(bytes);
        Assert.False(result.Succeeded);
        Assert.Equal(ResourceParser.RuleInvalidUtf8, result.Error!.RuleId);
        Assert.Equal("Patient.name[0].given[1]", result.Error.Location);
    }

    [Fact]
    public void Strings_over_the_configured_limit_are_errors_that_leave_the_resource_usable()
    {
        var options = new ResourceParserOptions { MaxStringBytes = Secret.Length };
        Assert.Null(ResourceParser.Parse(Encoding.UTF8.GetBytes(Patient("")), options).JsonIssues);

        var result = ResourceParser.Parse(Encoding.UTF8.GetBytes(Patient($$""","birthDate":"1970-01-02","_gender":{"id":"{{Secret}}x"}""")), options);
        Assert.True(result.Succeeded);
        result.Document!.Dispose();
        var issue = Assert.Single(result.JsonIssues!);
        Assert.Equal(ResourceParser.RuleStringTooLong, issue.RuleId);
        Assert.Equal(IssueSeverity.Error, issue.Severity);
        Assert.Equal("Patient._gender.id", issue.Location);
        Assert.DoesNotContain(Secret, issue.Message);
    }

    [Fact]
    public void The_default_string_limit_is_one_mebibyte()
    {
        var underLimit = Parse(Patient($$""","text":{"status":"generated","div":"{{new string('x', 1024 * 1024 - 10)}}"}"""));
        Assert.Null(underLimit.JsonIssues);
        underLimit.Document!.Dispose();
        var overLimit = Parse(Patient($$""","text":{"status":"generated","div":"{{new string('x', 1024 * 1024 + 1)}}"}"""));
        Assert.Equal("Patient.text.div", Assert.Single(overLimit.JsonIssues!).Location);
        overLimit.Document!.Dispose();
    }

    [Fact]
    public void Valid_json_deeper_than_128_levels_is_read_and_validated()
    {
        var result = Parse(Patient(",\"extension\":[" + NestedExtension(150) + "]"));
        Assert.True(result.Succeeded, result.Error?.Message);
        using var document = result.Document!;
        Assert.True(Validator.Validate(document.RootElement).Usable);
    }

    [Fact]
    public void Json_deeper_than_the_documented_limit_is_rejected_with_its_own_rule_not_as_malformed()
    {
        var result = Parse(Patient(",\"extension\":[" + NestedExtension(300) + "]"));
        Assert.False(result.Succeeded);
        Assert.Equal(ResourceParser.RuleTooDeep, result.Error!.RuleId);
        Assert.Contains(ResourceParserOptions.DefaultMaxDepth.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Error.Message);

        Assert.Equal(ResourceParser.RuleMalformedJson, Parse("""{"resourceType":"Patient","name":[{]}""").Error!.RuleId);
    }

    [Fact]
    public void Empty_objects_are_errors_at_their_element()
    {
        Assert.DoesNotContain(Validate(Patient(",\"maritalStatus\":{\"text\":\"x\"}")).Issues, i => i.RuleId == ResourceWalker.RuleEmptyObject);

        var issue = Assert.Single(Validate(Patient(",\"maritalStatus\":{}")).Issues, i => i.RuleId == ResourceWalker.RuleEmptyObject);
        Assert.Equal(ResourceWalker.RuleEmptyObject, issue.RuleId);
        Assert.Equal("Patient.maritalStatus", issue.Location);
    }

    [Fact]
    public void Empty_arrays_are_errors_at_their_element()
    {
        var issue = Assert.Single(Validate(Patient(",\"telecom\":[]")).Issues);
        Assert.Equal("Patient.telecom:empty", issue.RuleId);
        Assert.Equal("Patient.telecom", issue.Location);
    }

    [Fact]
    public void A_primitive_extension_object_holds_only_id_and_extension()
    {
        const string extension = "\"extension\":[{\"url\":\"http://example.org/x\",\"valueString\":\"y\"}]";
        Assert.Same(ValidationResult.Valid, Validate(Patient($",\"birthDate\":\"1970-01-02\",\"_birthDate\":{{\"id\":\"b1\",{extension}}}")));

        var issues = Validate(Patient($",\"birthDate\":\"1970-01-02\",\"_birthDate\":{{\"value\":\"{Secret}\",{extension}}}")).Issues;
        var issue = Assert.Single(issues);
        Assert.Equal(ResourceWalker.RulePrimitiveExtensionMember, issue.RuleId);
        Assert.Equal("Patient._birthDate.value", issue.Location);
        Assert.DoesNotContain(Secret, issue.Message);
    }

    [Fact]
    public void Items_of_a_primitive_extension_array_are_null_or_objects_with_id_and_extension_only()
    {
        var name = "\"name\":[{\"family\":\"A\",\"given\":[\"B\",\"C\"],\"_given\":[null,{\"extension\":[{\"url\":\"http://example.org/x\",\"valueString\":\"y\"}]}]}]";
        Assert.Same(ValidationResult.Valid, Validate($$"""{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"1"}],"gender":"male",{{name}}}"""));

        var issues = Validate("""{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"1"}],"gender":"male","name":[{"family":"A","given":["B","C"],"_given":[null,{}]}]}""").Issues;
        var issue = Assert.Single(issues);
        Assert.Equal(ResourceWalker.RuleEmptyObject, issue.RuleId);
        Assert.Equal("Patient.name[0]._given[1]", issue.Location);
    }

    [Theory]
    [InlineData("2021-02-30", false)]
    [InlineData("2021-02-29", false)]
    [InlineData("2020-02-29", true)]
    [InlineData("2023-04-31", false)]
    [InlineData("2023-04-30", true)]
    [InlineData("2023-12-31", true)]
    public void Impossible_calendar_dates_are_invalid_values(string birthDate, bool valid)
    {
        var result = Validate(Patient($",\"birthDate\":\"{birthDate}\""));
        if (valid)
        {
            Assert.Same(ValidationResult.Valid, result);
            return;
        }
        Assert.False(result.Usable);
        var issue = Assert.Single(result.Issues);
        Assert.Equal("Patient.birthDate:format", issue.RuleId);
        Assert.Equal("Patient.birthDate", issue.Location);
        Assert.DoesNotContain(birthDate, issue.Message);
    }

    [Theory]
    [InlineData(PrimitiveKind.DateTime, "2021-02-30T10:00:00Z", false)]
    [InlineData(PrimitiveKind.DateTime, "2024-02-29T10:00:00Z", true)]
    [InlineData(PrimitiveKind.Instant, "1900-02-29T00:00:00Z", false)]
    [InlineData(PrimitiveKind.Instant, "2000-02-29T00:00:00Z", true)]
    public void Impossible_days_are_invalid_in_dateTime_and_instant_too(PrimitiveKind kind, string text, bool valid) =>
        Assert.Equal(valid, PrimitiveFormats.IsValidText(kind, Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData(@"\ud800")]          // a high surrogate alone
    [InlineData(@"ab\ud800cd")]      // ... inside text
    [InlineData(@"\udc00")]          // a low surrogate alone
    [InlineData(@"\ud800\u0041")]    // a high surrogate followed by an escape that is not a low one
    [InlineData(@"\ude00\ud83d")]    // the pair in the wrong order
    public void An_unpaired_surrogate_escape_is_invalid_Unicode_at_its_element_and_its_value_is_not_echoed(string escaped)
    {
        var result = Parse($$"""{"resourceType":"Patient","name":[{"family":"ok"},{"family":"{{Secret}}{{escaped}}"}]}""");
        Assert.False(result.Succeeded);
        Assert.Equal(ResourceParser.RuleInvalidUnicode, result.Error!.RuleId);
        Assert.Equal(IssueSeverity.Fatal, result.Error.Severity);
        Assert.Equal("Patient.name[1].family", result.Error.Location);
        Assert.DoesNotContain(Secret, result.Error.Message);
        Assert.DoesNotContain("d800", result.Error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_surrogate_pair_written_as_escapes_and_escaped_backslashes_are_valid_text()
    {
        Assert.True(Parse("""{"resourceType":"Patient","name":[{"family":"smile \ud83d\ude00 \uD83D\uDE00"}]}""").Succeeded);
        Assert.True(Parse("""{"resourceType":"Patient","name":[{"family":"not an escape: \\ud800"}]}""").Succeeded);
    }

    [Fact]
    public void An_unpaired_surrogate_escape_in_a_property_name_is_invalid_Unicode_without_echoing_the_name()
    {
        var result = Parse("""{"resourceType":"Patient","name":[{"\ud800family":"x"}]}""");
        Assert.Equal(ResourceParser.RuleInvalidUnicode, result.Error!.RuleId);
        Assert.Equal("Patient.name[0].(invalid name)", result.Error.Location);
    }

    [Theory]
    [InlineData($$"""{"resourceType":"Patient","id":"p1","name":[{"family":"{{Secret}}\ud800"}],"gender":"male"}""", "Patient.name[0].family")]
    [InlineData("""{"resourceType":"Patient","id":"p1","meta":{"profile":["\ud800"]},"gender":"male"}""", "Patient.meta.profile[0]")]
    [InlineData("""{"resourceType":"Patient","id":"p1","gender":"\udc00"}""", "Patient.gender")]
    public void A_document_parsed_leniently_with_an_unpaired_surrogate_is_unusable_not_a_crash(string json, string location)
    {
        // The pipeline may hand the validator a document it parsed itself, without ResourceParser's scan.
        using var document = ResourceDocument.Parse(json);
        var result = Validator.Validate(document.RootElement);
        Assert.False(result.Usable);
        var issue = Assert.Single(result.Issues, i => i.Severity == IssueSeverity.Fatal);
        Assert.Equal(location, issue.Location);
        Assert.All(result.Issues, i => Assert.DoesNotContain(Secret, i.Message));
    }

    private static ResourceParseResult Parse(string json) => ResourceParser.Parse(json);

    private static ResourceParseResult Parse(byte[] json) => ResourceParser.Parse(json);

    private static ValidationResult Validate(string json)
    {
        var parsed = ResourceParser.Parse(json);
        Assert.True(parsed.Succeeded, parsed.Error?.RuleId);
        using var document = parsed.Document!;
        return Validator.Validate(document.RootElement);
    }

    /// <summary>Extensions nested <paramref name="levels"/> deep: valid FHIR, two JSON levels per extension.</summary>
    private static string NestedExtension(int levels)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < levels; i++) builder.Append("{\"url\":\"http://example.org/n\",\"extension\":[");
        builder.Append("{\"url\":\"http://example.org/leaf\",\"valueString\":\"x\"}");
        for (var i = 0; i < levels; i++) builder.Append("]}");
        return builder.ToString();
    }
}
