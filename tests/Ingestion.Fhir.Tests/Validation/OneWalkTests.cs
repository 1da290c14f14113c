using Ingestion.Fhir.Validation;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// Structure checks and constraints are evaluated in one walk: the result still lists every structure issue before
/// every constraint issue, constraints are evaluated where the structure walk stops, and the reused walk state carries
/// nothing from one resource to the next.
/// </summary>
public sealed class OneWalkTests
{
    private static readonly UsCoreValidator Validator = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false });

    private const string Head = """{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:x","value":"1"}],"gender":"male",""";

    // ext-1 fails on an extension with neither a value nor extensions.
    private const string BareExtension = """{"url":"http://example.org/x"}""";

    [Fact]
    public void Structure_issues_come_before_constraint_issues_found_earlier_in_the_document()
    {
        var result = Validate(Head + $$$"""
            "name":[{"family":"A","extension":[{{{BareExtension}}}]}],"unknownThing":1}
            """);

        var rules = result.Issues.Select(i => i.RuleId).ToList();
        var unknown = rules.FindIndex(r => r.EndsWith(":unknown-element", StringComparison.Ordinal));
        var ext1 = rules.IndexOf("ext-1");
        Assert.True(unknown >= 0 && ext1 >= 0, string.Join(", ", rules));
        Assert.True(unknown < ext1, string.Join(", ", rules));
        Assert.Equal("Patient.name[0].extension[0]", result.Issues[ext1].Location);
    }

    [Fact]
    public void Constraints_are_evaluated_below_a_value_of_the_wrong_JSON_shape()
    {
        // name repeats: an object there is a fatal structure issue, and the walk of its children stops; its
        // constraints are still evaluated.
        var result = Validate(Head + $$$"""
            "name":{"family":"A","extension":[{{{BareExtension}}}]}}
            """);

        Assert.Contains(result.Issues, i => i.RuleId.EndsWith(":json-type", StringComparison.Ordinal) && i.Severity == IssueSeverity.Fatal);
        var ext1 = Assert.Single(result.Issues, i => i.RuleId == "ext-1");
        Assert.Equal("Patient.name.extension[0]", ext1.Location);
    }

    [Fact]
    public void The_reused_walk_state_carries_nothing_from_one_resource_to_the_next()
    {
        var failing = Head + $$$"""
            "name":[{"family":"A","extension":[{{{BareExtension}}}]}],"unknownThing":1}
            """;
        var clean = Head + """ "name":[{"family":"A"}]}""";

        var first = Describe(Validate(failing));
        var between = Validate(clean);
        var again = Describe(Validate(failing));

        Assert.Same(ValidationResult.Valid, between);
        Assert.Equal(first, again);
    }

    private static List<string> Describe(ValidationResult result) =>
        result.Issues.Select(i => $"{i.Severity} {i.RuleId} {i.Location} {i.Message}").ToList();

    private static ValidationResult Validate(string json)
    {
        var parsed = ResourceParser.Parse(json);
        Assert.True(parsed.Succeeded, parsed.Error?.RuleId);
        using var document = parsed.Document!;
        return Validator.Validate(document.RootElement);
    }
}
