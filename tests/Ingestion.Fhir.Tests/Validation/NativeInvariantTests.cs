using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Fhir.Validation.FhirPath;
using Ingestion.Testing;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// The native ref-1, per-1, qty-3 and NPI (us-core-16/17) checks give the FHIRPath form's verdict (true: it passes, as true or empty; false: it
/// fails; null: left to the expression), and
/// dom-2 to dom-5, which the walk skips on a resource without contained resources, hold there: on crafted cases and
/// on every Reference, Period and resource of the US Core and R4 spec examples and of Synthea lines.
/// </summary>
[Collection(PackageValidatorCollection.Name)]
[Trait("Category", TestCategories.Conformance)]
public sealed class NativeInvariantTests(PackageValidatorFixture fixture, ITestOutputHelper output)
{
    private static readonly FhirPathExpression Ref1 = FhirPathExpression.Compile(ReferenceFormCheck.Expression);
    private static readonly FhirPathExpression Per1 = FhirPathExpression.Compile(PeriodOrderCheck.Expression);
    private static readonly FhirPathExpression[] ContainedRules = ContainedAbsenceCheck.Expressions.Select(FhirPathExpression.Compile).ToArray();
    private static readonly FhirPathExpression References = FhirPathExpression.Compile("descendants().ofType(Reference)");
    private static readonly FhirPathExpression Periods = FhirPathExpression.Compile("descendants().ofType(Period)");
    private static readonly FhirPathExpression Identifiers = FhirPathExpression.Compile("descendants().ofType(Identifier)");
    private static readonly FhirPathExpression NpiDigits = FhirPathExpression.Compile(NpiCheck.DigitsExpression);
    private static readonly FhirPathExpression NpiCheckDigit = FhirPathExpression.Compile(NpiCheck.CheckDigitExpression);

    public static TheoryData<string, bool?, bool?> CraftedReferences => new()
    {
        // reference json, native answer (null: left to the expression; true: passes), FHIRPath answer
        { """{"reference":"Patient/1"}""", true, true },
        { """{"reference":"urn:uuid:8bb3a899-4353-4d7e-96e0-c980387b3852","display":"x"}""", true, true },
        { """{"reference":""}""", true, true },
        { """{"display":"no reference"}""", true, null }, // both operands empty: passes
        { """{"identifier":{"value":"1"}}""", true, null },
        { """{"reference":"#c"}""", null, true },   // names the contained resource
        { """{"reference":"#zz"}""", null, false }, // names none
        { """{"reference":"\u0023zz"}""", null, false }, // the '#' written as an escape
        { """{"reference":"Patient\/1"}""", null, true },
        { """{"reference":["Patient/1"]}""", null, true },
        { """{"reference":null}""", true, null },
    };

    public static TheoryData<string, bool?, bool?> CraftedPeriods => new()
    {
        // period json, native answer, FHIRPath answer
        { """{"start":"2015-06-17T01:11:45-04:00","end":"2015-06-17T02:11:45-04:00"}""", true, true },
        { """{"start":"2015-06-17T02:11:45-04:00","end":"2015-06-17T01:11:45-04:00"}""", false, false },
        { """{"start":"2015-06-17T01:11:45-04:00","end":"2015-06-17T01:11:45-04:00"}""", true, true },
        { """{"start":"2015-06-17T01:11:45Z","end":"2015-06-16T01:11:45Z"}""", false, false },
        { """{"start":"2015-06-17","end":"2015-06-16"}""", false, false },
        { """{"start":"2015-06-16","end":"2015-06-17"}""", true, true },
        { """{"start":"2015-06-17"}""", true, true },
        { """{"end":"2015-06-17"}""", true, true },
        { """{"_start":{"extension":[{"url":"http://example.org/x","valueString":"y"}]},"end":"2015-06-17"}""", true, true },
        // different zones: compared as instants at UTC
        { """{"start":"2015-06-17T05:11:45+00:00","end":"2015-06-17T02:11:45-04:00"}""", true, true },
        { """{"start":"2015-06-17T06:11:45Z","end":"2015-06-17T02:11:45-04:00"}""", true, true },
        { """{"start":"2015-06-17T06:11:46Z","end":"2015-06-17T02:11:45-04:00"}""", false, false },
        { """{"start":"2018-10-28T04:41:16-04:00","end":"2019-02-12T03:41:16-05:00"}""", true, true },
        { """{"start":"2014-03-09T01:30:00-05:00","end":"2014-03-09T01:45:00-04:00"}""", false, false },
        { """{"start":"2015-01-01T00:30:00+14:00","end":"2014-12-31T10:29:59Z"}""", false, false },
        { """{"start":"2015-01-01T00:30:00+14:00","end":"2014-12-31T10:30:00Z"}""", true, true },
        // precisions, fractions or a zone on one only: the expression decides
        { """{"start":"2015-06-17T05:11:45","end":"2015-06-17T02:11:45-04:00"}""", null, null },
        { """{"start":"2015-06-17T05:11:45.5Z","end":"2015-06-17T02:11:45-04:00"}""", null, true },
        { """{"start":"2015-06-17T01:11:45.5-04:00","end":"2015-06-17T01:11:45-04:00"}""", null, false },
        { """{"start":"2015-06-17","end":"2015-06-17T01:11:45-04:00"}""", null, null },
        { """{"start":"2015-06","end":"2015-05"}""", null, false },
    };

    public static TheoryData<string, bool?> CraftedEffectives => new()
    {
        // effective[x] property, native answer of us-core-1 and vs-1 (null: left to the expressions)
        { "\"effectiveDateTime\":\"2015-06-17T01:11:45-04:00\"", true },
        { "\"effectiveDateTime\":\"2015-06-17\"", true },
        { "\"effectiveDateTime\":\"2015-06-17Tnoon\"", true }, // not a date-time: not DateTime, no text
        { "\"effectivePeriod\":{\"start\":\"2015-06-17\"}", true },
        { "\"effectiveDateTime\":\"2015-06\"", null },
        { "\"effectiveDateTime\":\"2015\"", null },
        { "\"effectiveDateTime\":\"2015-02-30\"", null },
        { "\"effectiveDateTime\":\"0000-01-01\"", null },
        { "\"effectiveDateTime\":\"2015-06-1\\u0037\"", null },
        { "\"effectiveInstant\":\"2015-06-17T01:11:45Z\"", null },
        { "\"_effectiveDateTime\":{\"extension\":[{\"url\":\"http://example.org/x\",\"valueString\":\"y\"}]}", null },
    };

    [Theory]
    [MemberData(nameof(CraftedEffectives))]
    public async Task Native_us_core_1_and_vs_1_give_the_FHIRPath_verdict_on_crafted_effective_times(string effective, bool? native)
    {
        var model = (await fixture.For("base")).FhirPathModel;
        using var document = ResourceDocument.Parse($$"""{"resourceType":"Observation","status":"final","code":{"text":"c"},{{effective}}}""");
        var element = Assert.Single(FhirPathExpression.Compile("Observation.effective").Evaluate(model, document.RootElement).OfType<FhirPathElement>());
        Assert.Equal(native, DateTimePrecisionCheck.Holds(Cursor(element)));
        foreach (var text in new[] { DateTimePrecisionCheck.DayExpression, DateTimePrecisionCheck.MonthExpression })
        {
            if (native is { } verdict) Assert.Equal(verdict, FhirPathExpression.Compile(text).EvaluateBoolean(model, element) != false);
        }
    }

    [Theory]
    [MemberData(nameof(CraftedReferences))]
    public async Task Native_ref1_answers_as_the_FHIRPath_form_on_crafted_references(string reference, bool? native, bool? fhirPath)
    {
        var model = (await fixture.For("base")).FhirPathModel;
        using var document = ResourceDocument.Parse($$"""{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}],"insurance":[{"sequence":1,"focal":true,"coverage":{{reference}}}]}""");
        var element = Assert.Single(FhirPathExpression.Compile("Claim.insurance.coverage").Evaluate(model, document.RootElement).OfType<FhirPathElement>());
        Assert.Equal(fhirPath, Ref1.EvaluateBoolean(model, element));
        Assert.Equal(native, ReferenceFormCheck.Holds(Cursor(element)));
        if (native is { } verdict) Assert.Equal(verdict, fhirPath != false);
    }

    public static TheoryData<string, string, bool?> CraftedLocalReferences => new()
    {
        // the Claim's contained (JSON, or nothing), the reference, the native answer given %rootResource (null: left to the expression)
        { """[{"resourceType":"Coverage","id":"c"}]""", "#c", true },
        { """[{"resourceType":"Coverage","id":"c"}]""", "#zz", false },
        { "", "#c", false }, // no contained resources: in an empty collection is false
        { """[{"resourceType":"Coverage","id":"\u0063"}]""", "#c", true }, // an escaped id is its text
        { """[{"resourceType":"Coverage"},{"resourceType":"Patient","id":"c"}]""", "#c", true },
        { """[null,{"resourceType":"Patient","id":"c"}]""", "#c", true },
        { """[{"resourceType":"Coverage","id":"c","_id":{"extension":[{"url":"http://example.org/x","valueString":"y"}]}}]""", "#c", null },
        { """[{"resourceType":"Coverage","id":1}]""", "#c", null },
        { """[{"resourceType":"Coverage","id":"c"}]""", "#", null },
        { """{"resourceType":"Coverage","id":"c"}""", "#c", null },
        { """["c"]""", "#c", null },
    };

    [Theory]
    [MemberData(nameof(CraftedLocalReferences))]
    public async Task Native_ref1_decides_local_references_as_the_FHIRPath_form_given_the_root_resource(string contained, string reference, bool? native)
    {
        var model = (await fixture.For("base")).FhirPathModel;
        var containedMember = contained.Length > 0 ? "\"contained\":" + contained + "," : "";
        using var document = ResourceDocument.Parse($$$"""{"resourceType":"Claim",{{{containedMember}}}"insurance":[{"sequence":1,"focal":true,"coverage":{"reference":"{{{reference}}}"}}]}""");
        var element = Assert.Single(FhirPathExpression.Compile("Claim.insurance.coverage").Evaluate(model, document.RootElement).OfType<FhirPathElement>());
        Assert.Null(ReferenceFormCheck.Holds(Cursor(element)));
        Assert.Equal(native, ReferenceFormCheck.Holds(Cursor(element), document.RootElement));
        if (native is { } verdict) Assert.Equal(verdict, Ref1.EvaluateBoolean(model, element) != false);
    }

    public static TheoryData<string, bool?, bool?> CraftedContained => new()
    {
        // the Claim's contained, the native answer of dom-2 and of dom-4/dom-5 (null: left to the expressions)
        { """[{"resourceType":"Coverage","id":"c","status":"active"}]""", true, true },
        { """[null,{"resourceType":"Coverage","id":"c"}]""", true, true },
        { """[]""", true, true },
        { """[{"resourceType":"Coverage","id":"c","meta":{"versionId":"1"}}]""", true, null },
        { """[{"resourceType":"Coverage","id":"c","meta":{"source":"x"}}]""", true, null },
        { """[{"resourceType":"Coverage","id":"c","_meta":{"extension":[{"url":"http://example.org/x","valueString":"y"}]}}]""", true, null },
        { """[{"resourceType":"Coverage","id":"c","contained":[{"resourceType":"Patient","id":"p"}]}]""", null, true },
        { """[{"resourceType":"Coverage","id":"c","_contained":[{"id":"x"}]}]""", null, true },
        { """[{"resourceType":"Unknown","id":"c","metaVersion":"1","containedX":{"resourceType":"Patient"}}]""", null, null },
        { """[{"id":"c","metaData":1}]""", true, null },
        { """[{"resourceType":"Coverage","id":"c","m\u0065ta":{"versionId":"1"}}]""", null, null },
        { """[{"resourceType":"Coverage","id":"c"},"text"]""", null, null },
        { """{"resourceType":"Coverage","id":"c","meta":{"versionId":"1"}}""", null, null },
    };

    [Theory]
    [MemberData(nameof(CraftedContained))]
    public async Task Native_dom_2_4_5_give_the_FHIRPath_verdict_on_crafted_contained_resources(string contained, bool? withoutNested, bool? withoutMeta)
    {
        var model = (await fixture.For("base")).FhirPathModel;
        using var document = ResourceDocument.Parse($$"""{"resourceType":"Claim","contained":{{contained}},"status":"active"}""");
        var root = model.Resource(document.RootElement, null, "");
        var cursor = Cursor(root);
        Assert.Equal(withoutNested, ContainedMemberCheck.WithoutNested(cursor));
        Assert.Equal(withoutMeta, ContainedMemberCheck.WithoutMeta(cursor));
        foreach (var (text, answer) in new[] { (ContainedMemberCheck.NestedExpression, withoutNested), (ContainedMemberCheck.VersionExpression, withoutMeta), (ContainedMemberCheck.SecurityExpression, withoutMeta) })
        {
            if (answer is { } verdict) Assert.Equal(verdict, FhirPathExpression.Compile(text).EvaluateBoolean(model, root) != false);
        }
    }

    public static TheoryData<string, bool?> CraftedObservationValues => new()
    {
        // Observation.value[x], the native answer of us-core-3 on it (null: left to the expression)
        { "\"valueQuantity\":{\"value\":1.5,\"unit\":\"kg\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"kg\"}", true },
        { "\"valueQuantity\":{\"value\":1.5,\"system\":\"http://example.org/units\",\"code\":\"x\"}", true },
        { "\"valueQuantity\":{\"unit\":\"kg\"}", true },
        { "\"valueCodeableConcept\":{\"text\":\"x\"}", true },
        { "\"valueString\":\"x\"", true },
        { "\"valueQuantity\":{\"value\":{\"resourceType\":\"Quantity\",\"system\":\"http://example.org/units\"}}", null },
        { "\"valueQuantity\":{\"value\":[1,2]}", null },
    };

    [Theory]
    [MemberData(nameof(CraftedObservationValues))]
    public async Task Native_us_core_3_gives_the_FHIRPath_verdict_on_crafted_observation_values(string value, bool? native)
    {
        var model = (await fixture.For("base")).FhirPathModel;
        using var document = ResourceDocument.Parse($$"""{"resourceType":"Observation","status":"final","code":{"text":"c"},{{value}}}""");
        var element = Assert.Single(FhirPathExpression.Compile("Observation.value").Evaluate(model, document.RootElement).OfType<FhirPathElement>());
        Assert.Equal(native, QuantityUnitSystemCheck.For(model)(Cursor(element)));
        if (native is { } verdict) Assert.Equal(verdict, FhirPathExpression.Compile(QuantityUnitSystemCheck.Expression).EvaluateBoolean(model, element) != false);
    }

    public static TheoryData<string, bool?> CraftedQuantities => new()
    {
        // Observation.valueQuantity's members, the native answer of qty-3 on it (null: left to the expression)
        { "\"value\":1.5,\"unit\":\"kg\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"kg\"", true },
        { "\"value\":1.5,\"code\":\"kg\"", false },
        { "\"value\":1.5,\"unit\":\"kg\"", true },
        { "\"code\":\"kg\",\"system\":null", false },
        { "\"code\":null,\"unit\":\"kg\"", true },
        { "\"code\":\"kg\",\"_system\":{\"id\":\"s\"}", true },
        { "\"_code\":{\"id\":\"c\"},\"unit\":\"kg\"", false },
        { "\"_code\":null,\"value\":1", true },
        { "\"code\":{\"text\":\"odd\"},\"system\":\"http://unitsofmeasure.org\"", true },
        { "\"c\\u006fde\":\"kg\",\"value\":1", null },
        { "\"code\":[\"kg\"],\"value\":1", null },
        { "\"code\":\"kg\",\"system\":[\"http://unitsofmeasure.org\"]", null },
    };

    [Theory]
    [MemberData(nameof(CraftedQuantities))]
    public async Task Native_qty_3_gives_the_FHIRPath_verdict_on_crafted_quantities(string members, bool? native)
    {
        var model = (await fixture.For("base")).FhirPathModel;
        using var document = ResourceDocument.Parse("""{"resourceType":"Observation","status":"final","code":{"text":"c"},"valueQuantity":{""" + members + "}}");
        var element = Assert.Single(FhirPathExpression.Compile("Observation.value").Evaluate(model, document.RootElement).OfType<FhirPathElement>());
        Assert.Equal(native, QuantityCodeSystemCheck.Create()(Cursor(element)));
        if (native is { } verdict) Assert.Equal(verdict, FhirPathExpression.Compile(QuantityCodeSystemCheck.Expression).EvaluateBoolean(model, element) != false);
    }

    public static TheoryData<string, bool?, bool?> CraftedNpis => new()
    {
        // the identifier's value member (JSON), the native answer of us-core-16 and of us-core-17 (null: left to the expression)
        { "\"value\":\"1234567893\"", true, true },
        { "\"value\":\"1234567890\"", true, false },
        { "\"value\":\"9999999679\"", true, false }, // a Synthea NPI that fails the check digit
        { "\"value\":\"0000000000\"", true, false },
        { "\"value\":\"123456789\"", false, null },
        { "\"value\":\"12345678930\"", false, null },
        { "\"value\":\"12345a7893\"", false, null },
        { "\"value\":\"１２３４５６７８９３\"", false, null },
        { "\"value\":\"123456789\\u0033\"", null, null },
        { "\"value\":1234567893", null, null },
        { "\"value\":\"\"", null, null },
        { "\"value\":\"1234567893\",\"_value\":{\"id\":\"v\"}", null, null },
        { "\"_value\":{\"id\":\"v\"}", null, null },
        { "\"use\":\"official\"", null, null },
    };

    [Theory]
    [MemberData(nameof(CraftedNpis))]
    public async Task Native_us_core_16_and_17_give_the_FHIRPath_verdict_on_crafted_NPIs(string value, bool? digits, bool? checkDigit)
    {
        var model = (await fixture.For("base")).FhirPathModel;
        using var document = ResourceDocument.Parse($$"""{"resourceType":"Practitioner","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi",{{value}}}]}""");
        var element = Assert.Single(FhirPathExpression.Compile("Practitioner.identifier").Evaluate(model, document.RootElement).OfType<FhirPathElement>());
        Assert.Equal(digits, NpiCheck.HasTenDigits(Cursor(element)));
        Assert.Equal(checkDigit, NpiCheck.HasValidCheckDigit(Cursor(element)));
        if (digits is { } verdict) Assert.Equal(verdict, NpiDigits.EvaluateBoolean(model, element) != false);
        if (checkDigit is { } checkVerdict) Assert.Equal(checkVerdict, NpiCheckDigit.EvaluateBoolean(model, element) != false);
    }

    [Fact]
    public async Task Native_us_core_16_and_17_answer_as_the_FHIRPath_forms_on_every_example_and_Synthea_identifier()
    {
        var model = (await fixture.For("base")).FhirPathModel;
        var identifiers = 0;
        var decided = 0;
        var mismatches = new List<string>();
        void Check(ResourceElement resource, string where)
        {
            foreach (var identifier in Identifiers.Evaluate(model, model.Resource(resource, null, "")).OfType<FhirPathElement>())
            {
                identifiers++;
                foreach (var (key, native, expression) in new[] { ("us-core-16", NpiCheck.HasTenDigits(Cursor(identifier)), NpiDigits), ("us-core-17", NpiCheck.HasValidCheckDigit(Cursor(identifier)), NpiCheckDigit) })
                {
                    if (native is not { } verdict) continue;
                    decided++;
                    string answer;
                    try
                    {
                        answer = expression.EvaluateBoolean(model, identifier) == false ? "fails" : "passes";
                    }
                    catch (FhirPathException e)
                    {
                        answer = "error " + e.Message;
                    }
                    if (answer != (verdict ? "passes" : "fails")) mismatches.Add($"{where}: {key} native {verdict}, expression {answer}");
                }
            }
        }
        foreach (var file in ExampleCorpus.ExampleFiles())
        {
            using var document = ResourceDocument.Parse(await File.ReadAllBytesAsync(file));
            Check(document.RootElement, Path.GetFileName(file));
        }
        // Every Synthea line with identifiers: each Practitioner's is an NPI.
        foreach (var (text, where) in ExampleCorpus.SyntheaLines(perFile: 300))
        {
            using var document = ResourceDocument.Parse(text);
            Check(document.RootElement, where);
        }
        output.WriteLine($"us-core-16/17: {identifiers} identifiers, {decided} native decisions compared");
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches.Take(20)));
        Assert.True(decided > 400, $"only {decided} native decisions");
    }

    [Theory]
    [MemberData(nameof(CraftedPeriods))]
    public async Task Native_per1_answers_as_the_FHIRPath_form_on_crafted_periods(string period, bool? native, bool? fhirPath)
    {
        var model = (await fixture.For("base")).FhirPathModel;
        using var document = ResourceDocument.Parse($$"""{"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"period":{{period}}}""");
        var element = Assert.Single(FhirPathExpression.Compile("Encounter.period").Evaluate(model, document.RootElement).OfType<FhirPathElement>());
        Assert.Equal(fhirPath, Per1.EvaluateBoolean(model, element));
        Assert.Equal(native, PeriodOrderCheck.Holds(Cursor(element)));
    }

    [Fact]
    public async Task Natives_answer_as_the_FHIRPath_forms_on_every_example_and_Synthea_resource()
    {
        var model = (await fixture.For("base")).FhirPathModel;
        var tally = new Tally();
        foreach (var file in ExampleCorpus.ExampleFiles())
        {
            using var document = ResourceDocument.Parse(await File.ReadAllBytesAsync(file));
            Compare(model, model.Resource(document.RootElement, null, ""), Path.GetFileName(file), tally);
        }
        // Every type of the Synthea export, its first 150 lines (descendants() materialises the whole tree).
        foreach (var (text, where) in ExampleCorpus.SyntheaLines(perFile: 150))
        {
            using var document = ResourceDocument.Parse(text);
            Compare(model, model.Resource(document.RootElement, null, ""), where, tally);
        }
        output.WriteLine($"ref-1: {tally.References} references, {tally.ReferencesNative} decided natively ({tally.LocalNative} of them #id); per-1: {tally.Periods} periods, {tally.PeriodsNative} decided natively ({tally.PeriodsFailing} failing); dom-2..5 on {tally.WithoutContained} resources without contained");
        Assert.True(tally.Mismatches.Count == 0, string.Join('\n', tally.Mismatches.Take(20)));
        Assert.True(tally.ReferencesNative > tally.References * 9 / 10, "nearly every reference is decided natively");
        Assert.True(tally.LocalNative > 100, "#id references (ExplanationOfBenefit's referral and coverage) are decided natively");
        Assert.True(tally.PeriodsNative > tally.Periods * 8 / 10, "nearly every period is decided natively");
        Assert.True(tally.WithoutContained > 2000);
    }

    private static void Compare(FhirPathModel model, FhirPathElement root, string where, Tally tally)
    {
        // descendants() of a Bundle includes its entries' elements: only the contained-resource rules go per entry.
        foreach (var reference in References.Evaluate(model, root).OfType<FhirPathElement>())
        {
            tally.References++;
            // As the walk calls it: with %rootResource where it knows it (outside nested resources), else without.
            var rootResource = reference.RootResource is { } r && ReferenceEquals(r, root) ? r.Value : default;
            if (ReferenceFormCheck.Holds(Cursor(reference), rootResource) is not { } native) continue;
            if (reference.Value.TryGetProperty("reference"u8, out var text) && text.ValueKind == JsonValueKind.String && text.GetString()!.StartsWith('#')) tally.LocalNative++;
            tally.ReferencesNative++;
            if ((Ref1.EvaluateBoolean(model, reference) != false) != native) tally.Mismatches.Add($"{where} {reference.Name}: ref-1 native {native}, FHIRPath {Ref1.EvaluateBoolean(model, reference)}");
        }
        foreach (var period in Periods.Evaluate(model, root).OfType<FhirPathElement>())
        {
            tally.Periods++;
            if (PeriodOrderCheck.Holds(Cursor(period)) is not { } native) continue;
            tally.PeriodsNative++;
            if (!native) tally.PeriodsFailing++;
            if (Per1.EvaluateBoolean(model, period) != native) tally.Mismatches.Add($"{where} {period.Name}: per-1 native {native}, FHIRPath {Per1.EvaluateBoolean(model, period)}");
        }
        foreach (var (resource, at) in ExampleCorpus.WithBundleEntries(model, root, where))
        {
            if (resource.Value.TryGetProperty("contained"u8, out _) || resource.Value.TryGetProperty("_contained"u8, out _)) continue;
            tally.WithoutContained++;
            foreach (var rule in ContainedRules)
            {
                if (rule.EvaluateBoolean(model, resource) != true) tally.Mismatches.Add($"{at}: {rule.Text} is not true without contained resources");
            }
        }
    }

    private static FhirPathCursor Cursor(FhirPathElement element) => new(element.Value, element.Shadow, element.Type, element.Table);

    private sealed class Tally
    {
        public int References;
        public int ReferencesNative;
        public int LocalNative;
        public int Periods;
        public int PeriodsNative;
        public int PeriodsFailing;
        public int WithoutContained;
        public List<string> Mismatches { get; } = [];
    }
}
