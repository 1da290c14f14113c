using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Fhir.Validation.FhirPath;
using Ingestion.Testing;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// The native dom-3 check gives the FHIRPath form's answer: on every resource of the US Core and R4 spec examples
/// (and their Bundle entries), every Synthea line with contained resources, and crafted pass/fail cases. Where the
/// native check cannot judge exactly it answers null and the validator evaluates the expression.
/// </summary>
[Collection(PackageValidatorCollection.Name)]
[Trait("Category", TestCategories.Conformance)]
public sealed class ContainedReferenceCheckTests(PackageValidatorFixture fixture, ITestOutputHelper output)
{
    private static readonly FhirPathExpression Dom3 = FhirPathExpression.Compile(ContainedReferenceCheck.Expression);

    public static TheoryData<string, bool?, bool> Crafted => new()
    {
        // json, native answer (null: left to the expression), FHIRPath answer
        { """{"resourceType":"Claim","status":"active"}""", true, true },
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"insurance":[{"coverage":{"reference":"#c"}}]}""", true, true },
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"insurance":[{"coverage":{"reference":"Coverage/c"}}]}""", false, false },
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"},{"resourceType":"Coverage","id":"d"}],"insurance":[{"coverage":{"reference":"#c"}}]}""", false, false },
        // refers to its container with '#'
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c","beneficiary":{"reference":"#"}}]}""", true, true },
        // a '#' on the contained resource's own level is no descendant reference of it ("reference" is no Coverage element)
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c","reference":"#"}]}""", null, false },
        // referenced from inside another contained resource, which the container references
        { """{"resourceType":"ExplanationOfBenefit","contained":[{"resourceType":"Practitioner","id":"p"},{"resourceType":"ServiceRequest","id":"r","requester":{"reference":"#p"}}],"referral":{"reference":"#r"}}""", true, true },
        // referenced only by itself
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c","payor":[{"reference":"#c"}]}]}""", true, true },
        // reference inside a primitive's extension
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"_status":{"extension":[{"url":"http://example.org/x","valueReference":{"reference":"#c"}}]}}""", true, true },
        // the '#' written as an escape
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"insurance":[{"coverage":{"reference":"\u0023c"}}]}""", true, true },
        // the same id text in a string element is no reference
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"supportingInfo":[{"sequence":1,"category":{"text":"#c"}}]}""", null, false },
        // a canonical referring to the contained resource counts (typed: left to the expression)
        { """{"resourceType":"CarePlan","contained":[{"resourceType":"PlanDefinition","id":"pd","status":"active"}],"status":"active","intent":"plan","subject":{"reference":"Patient/1"},"instantiatesCanonical":["#pd"]}""", null, true },
        // a contained resource without an id is judged by the expression
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage"}]}""", null, true },
        // the root's own 'reference' is no descendant
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"reference":"#c"}""", null, false },
        // subtrees without '#' or an escape are skipped unread: a 'reference' array there (which the walk would leave to
        // the expression) holds nothing '#'+id could equal, so the answer is decided
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"insurance":[{"coverage":{"reference":"#c"}}],"item":[{"sequence":1,"reference":["Coverage/c"]}]}""", true, true },
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"},{"resourceType":"Coverage","id":"d"}],"insurance":[{"coverage":{"reference":"#c"}}],"item":{"reference":["d"]}}""", false, false },
        // the same array with a '#' in it: "reference":"#c" written as a property decides before any walk
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"insurance":[{"coverage":{"reference":"#c"}}],"item":[{"reference":["#c"]}]}""", true, true },
        // an escape anywhere in a subtree (here one that is no '#'): the same
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"insurance":[{"coverage":{"reference":"#c"}}],"item":[{"reference":["\u0041"]}]}""", true, true },
        // ... which the walk leaves to the expression where the reference is not written that way
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"insurance":[{"coverage":{"reference": "#c"}}],"item":[{"reference":["#c"]}]}""", null, true },
        // "reference":"#c" on a contained resource's own level is no descendant reference of it (no bytes search there)
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c","reference":"#c"}]}""", null, false },
        // a name ending in an escaped quote and "reference" is not the property reference
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"insurance":[{"coverage":{"a\"reference":"#c"}}]}""", null, false },
        // written with a space: not found in the bytes, found by the walk
        { """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"insurance":[{"coverage":{"reference": "#c"}}]}""", true, true },
    };

    [Theory]
    [MemberData(nameof(Crafted))]
    public async Task Native_dom3_answers_as_the_FHIRPath_form_on_crafted_resources(string json, bool? native, bool fhirPath)
    {
        var model = (await fixture.For("base")).FhirPathModel;
        using var document = ResourceDocument.Parse(json);
        var (nativeAnswer, expressionAnswer) = Both(model, model.Resource(document.RootElement, null, ""));
        Assert.Equal(fhirPath, expressionAnswer);
        Assert.Equal(native, nativeAnswer);
    }

    [Fact]
    public async Task Native_dom3_answers_as_the_FHIRPath_form_on_every_example_and_Synthea_resource()
    {
        var model = (await fixture.For("base")).FhirPathModel;
        var tally = new Tally();
        foreach (var file in ExampleCorpus.ExampleFiles())
        {
            using var document = ResourceDocument.Parse(await File.ReadAllBytesAsync(file));
            Compare(model, model.Resource(document.RootElement, null, ""), Path.GetFileName(file), tally);
        }
        foreach (var (text, where) in ExampleCorpus.SyntheaLines())
        {
            if (!text.Contains("\"contained\"", StringComparison.Ordinal)) continue;
            using var document = ResourceDocument.Parse(text);
            Compare(model, model.Resource(document.RootElement, null, ""), where, tally);
        }
        output.WriteLine($"{tally.Resources} resources with contained: {tally.Native} decided natively ({tally.NativeFailed} failing), {tally.Deferred} left to the expression");
        Assert.True(tally.Mismatches.Count == 0, string.Join('\n', tally.Mismatches));
        Assert.True(tally.Native > 3000, "every Synthea ExplanationOfBenefit has contained resources");
        Assert.True(tally.Deferred < tally.Native / 20, $"{tally.Deferred} left to the expression");
    }

    private static void Compare(FhirPathModel model, FhirPathElement root, string where, Tally tally)
    {
        foreach (var (resource, at) in ExampleCorpus.WithBundleEntries(model, root, where))
        {
            if (!resource.Value.TryGetProperty("contained"u8, out _)) continue;
            var (native, expression) = Both(model, resource);
            tally.Resources++;
            if (native is null) tally.Deferred++;
            else
            {
                tally.Native++;
                if (native == false) tally.NativeFailed++;
                if (native != expression) tally.Mismatches.Add($"{at}: native {native}, FHIRPath {expression}");
            }
        }
    }

    private static (bool? Native, bool? Expression) Both(FhirPathModel model, FhirPathElement resource) =>
        (ContainedReferenceCheck.Holds(new FhirPathCursor(resource.Value, default, resource.Type, null)), Dom3.EvaluateBoolean(model, resource));

    private sealed class Tally
    {
        public int Resources;
        public int Native;
        public int NativeFailed;
        public int Deferred;
        public List<string> Mismatches { get; } = [];
    }
}
