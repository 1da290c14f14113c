using Ingestion.Fhir.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// ele-1 (<c>hasValue() or (children().count() > id.count())</c>) as the walk reports it on the objects it enters: exactly
/// where its native check on the element's JSON (<see cref="InvariantCompiler.Ele1Check"/>) fails, and where the FHIRPath
/// expression fails, for objects holding only <c>id</c>, <c>id</c> with <c>extension</c>, names written with escapes, items
/// of arrays and of a sliced array.
/// </summary>
public sealed class Ele1WalkTests
{
    private static readonly UsCoreValidator Validator = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false });
    private static readonly FhirPathExpression Ele1 = FhirPathExpression.Compile("hasValue() or (children().count() > id.count())");

    private const string Head = """{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:x","value":"1"}],"gender":"male","name":[{"family":"A"}],""";

    public static TheoryData<string, string, string[]> Cases => new()
    {
        // the rest of a Patient, the element whose ele-1 is compared with the expression, the ele-1 locations expected
        { """ "maritalStatus":{"id":"m"}}""", "maritalStatus", ["Patient.maritalStatus"] },
        { """ "maritalStatus":{"id":"m","text":"x"}}""", "maritalStatus", [] },
        { """ "maritalStatus":{"id":"m","extension":[{"url":"http://example.org/x","valueString":"y"}]}}""", "maritalStatus", [] },
        { """ "maritalStatus":{"\u0069d":"m"}}""", "maritalStatus", ["Patient.maritalStatus"] },
        { """ "maritalStatus":{"\u0069d":"m","text":"x"}}""", "maritalStatus", [] },
        { """ "maritalStatus":{"id":"m","t\u0065xt":"x"}}""", "maritalStatus", [] },
        { """ "telecom":[{"id":"t"},{"system":"phone","value":"1"},{"id":"u","value":"2"}]}""", "telecom", ["Patient.telecom[0]"] },
        { """ "extension":[{"id":"e"}]}""", "extension", ["Patient.extension[0]"] },
        { """ "address":[{"id":"a","period":{"id":"p"}}]}""", "address", ["Patient.address[0].period"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ele1_is_reported_where_the_expression_fails(string rest, string element, string[] expected)
    {
        var json = Head + rest;
        using var document = ResourceDocument.Parse(System.Text.Encoding.UTF8.GetBytes(json));
        var found = Validator.Validate(document.RootElement).Issues.Where(i => i.RuleId == "ele-1").Select(i => i.Location).ToArray();

        Assert.Equal(expected, found);
        // The element (or each of its items) against the native check and the expression.
        var model = Validator.FhirPathModel;
        var root = model.Resource(document.RootElement, null, "");
        List<object>? children = null;
        FhirPathNavigator.Children(model, root, element, "_" + element, ref children);
        var items = children!.OfType<FhirPathElement>().ToList();
        Assert.NotEmpty(items);
        var isArray = document.RootElement.TryGetProperty(element, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Array;
        for (var i = 0; i < items.Count; i++)
        {
            var location = isArray ? $"Patient.{element}[{i}]" : $"Patient.{element}";
            var item = items[i];
            Assert.Equal(InvariantCompiler.Ele1Check(new FhirPathCursor(item.Value, item.Shadow, item.Type, item.Table)) == false, found.Contains(location));
            var expressionFails = Ele1.EvaluateBoolean(model, item) == false;
            Assert.Equal(expressionFails, found.Contains(location));
        }
    }
}
