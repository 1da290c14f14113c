using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Fhir.Validation.FhirPath;
using Ingestion.Testing;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// Invariants of the cursor form's shape are decided on the walk's cursor (no FHIRPath elements, no collections): the
/// cursor form answers as the Boolean form does (crafted cases), and every native decision of the built-in rules —
/// cursor forms and the hand-written checks — gives the expression's verdict on every element of the spec examples
/// and of Synthea lines that the rule applies to, under every profile of the resource's type.
/// </summary>
[Trait("Category", TestCategories.Conformance)]
public sealed class InvariantCursorFormTests(ITestOutputHelper output)
{
    private const string BaseUrl = "http://hl7.org/fhir/StructureDefinition/";
    private static readonly Lazy<UsCoreValidator> BuiltIn = new(() => UsCoreValidator.CreateBuiltIn());

    public static TheoryData<string, string, string, bool> Crafted => new()
    {
        // expression, resource, path of the focus, decided by the cursor form
        { "dataAbsentReason.empty() or value.empty()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1}}""", "Observation", true },
        { "dataAbsentReason.empty() or value.empty()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1},"dataAbsentReason":{"text":"y"}}""", "Observation", true },
        { "(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())", """{"resourceType":"Observation","status":"final","code":{"text":"x"}}""", "Observation", true },
        { "(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueString":"v"}""", "Observation", true },
        { "(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"_valueString":{"extension":[{"url":"http://example.org/x","valueString":"y"}]}}""", "Observation", true },
        { "(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"component":[{"code":{"text":"c"}}]}""", "Observation", true },
        { "code.empty() or system.exists()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1,"code":"mg"}}""", "Observation.value", true },
        { "code.empty() or system.exists()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1,"code":"mg","system":"http://unitsofmeasure.org"}}""", "Observation.value", true },
        { "code.empty() or system.exists()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1,"code":"mg","system":null}}""", "Observation.value", true },
        { "code.empty() or system.exists()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1,"code":"mg","_system":{"id":"s"}}}""", "Observation.value", true },
        { "code.empty() or system.exists()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1,"c\u006fde":"mg"}}""", "Observation.value", true },
        { "(status='final' or status='amended') implies issued.exists()", """{"resourceType":"Observation","status":"final","code":{"text":"x"}}""", "Observation", true },
        { "(status='final' or status='amended') implies issued.exists()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"issued":"2020-01-01T00:00:00Z"}""", "Observation", true },
        { "(status='final' or status='amended') implies issued.exists()", """{"resourceType":"Observation","status":"preliminary","code":{"text":"x"}}""", "Observation", true },
        { "(status='final' or status='amended') implies issued.exists()", """{"resourceType":"Observation","code":{"text":"x"}}""", "Observation", true },
        { "(status='final' or status='amended') implies issued.exists()", """{"resourceType":"Observation","_status":{"id":"s"},"code":{"text":"x"}}""", "Observation", false },
        { "(status='final' or status='amended') implies issued.exists()", """{"resourceType":"Observation","status":"fin\u0061l","code":{"text":"x"}}""", "Observation", false },
        { "(status='final' or status='amended') implies issued.exists()", """{"resourceType":"Observation","status":1,"code":{"text":"x"}}""", "Observation", false },
        { "(status='partial' or status='preliminary' or status='final' or status='amended') implies effective.exists()", """{"resourceType":"DiagnosticReport","status":"final","code":{"text":"x"}}""", "DiagnosticReport", true },
        { "(status='partial' or status='preliminary' or status='final' or status='amended') implies effective.exists()", """{"resourceType":"DiagnosticReport","status":"registered","code":{"text":"x"}}""", "DiagnosticReport", true },
        { "(status='partial' or status='preliminary' or status='final' or status='amended') implies effective.exists()", """{"resourceType":"DiagnosticReport","code":{"text":"x"}}""", "DiagnosticReport", true },
        { "(status='partial' or status='preliminary' or status='final' or status='amended') implies effective.exists()", """{"resourceType":"DiagnosticReport","status":"fin\u0061l","code":{"text":"x"}}""", "DiagnosticReport", false },
        { "status='final' or code.text='x' or status='amended'", """{"resourceType":"DiagnosticReport","status":"registered","code":{"text":"x"}}""", "DiagnosticReport", true },
        { "status='final' or status!='amended'", """{"resourceType":"DiagnosticReport","status":"registered","code":{"text":"x"}}""", "DiagnosticReport", true },
        { "status != 'final'", """{"resourceType":"Observation","status":"final","code":{"text":"x"}}""", "Observation", true },
        { "status != 'final'", """{"resourceType":"Observation","code":{"text":"x"}}""", "Observation", true },
        { "given = 'a'", """{"resourceType":"Patient","name":[{"given":["a","b"]}]}""", "Patient.name", false },
        { "given = 'a'", """{"resourceType":"Patient","name":[{"given":["a"]}]}""", "Patient.name", true },
        { "birthDate = '2000-01-01'", """{"resourceType":"Patient","birthDate":"2000-01-01"}""", "Patient", false },
        { "extension.exists() != value.exists()", """{"resourceType":"Patient","extension":[{"url":"http://example.org/x","valueString":"y"}]}""", "Patient.extension", true },
        { "extension.exists() != value.exists()", """{"resourceType":"Patient","extension":[{"url":"http://example.org/x","valueString":"y","extension":[{"url":"z","valueCode":"c"}]}]}""", "Patient.extension", true },
        { "extension.exists() != value.exists()", """{"resourceType":"Patient","extension":[{"url":"http://example.org/x"}]}""", "Patient.extension", true },
        { "start.hasValue().not() or end.hasValue().not()", """{"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"period":{"start":"2020-01-01","_end":{"id":"e"}}}""", "Encounter.period", true },
        { "value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueString":"v"}""", "Observation", true },
        { "value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()", """{"resourceType":"Observation","status":"final","code":{"coding":[{"code":"a"}]},"valueString":"v","component":[{"code":{"coding":[{"code":"a"}]}}]}""", "Observation", false },
        { "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()", """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c","meta":{"versionId":"1"}}]}""", "Claim", true },
        { "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()", """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"},{"resourceType":"Patient","id":"p","meta":{"lastUpdated":"2020-01-01T00:00:00Z"}}]}""", "Claim", true },
        { "contained.contained.empty()", """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c","contained":[{"resourceType":"Patient","id":"p"}]}]}""", "Claim", true },
        { "%resource.id.exists()", """{"resourceType":"Patient","id":"p"}""", "Patient", false },
        { "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()", """{"resourceType":"Condition","subject":{"reference":"Patient/p"},"abatementDateTime":"2020-01-01","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"resolved"}]}}""", "Condition", true },
        { "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()", """{"resourceType":"Condition","subject":{"reference":"Patient/p"},"abatementDateTime":"2020-01-01","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]}}""", "Condition", true },
        { "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()", """{"resourceType":"Condition","subject":{"reference":"Patient/p"},"abatementDateTime":"2020-01-01","clinicalStatus":{"coding":[{"system":"http://example.org/other","code":"resolved"},{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"inactive"}]}}""", "Condition", true },
        { "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()", """{"resourceType":"Condition","subject":{"reference":"Patient/p"},"abatementDateTime":"2020-01-01"}""", "Condition", true },
        { "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()", """{"resourceType":"Condition","subject":{"reference":"Patient/p"},"abatementDateTime":"2020-01-01","clinicalStatus":{"coding":[{"_system":{"id":"s"},"code":"resolved"}]}}""", "Condition", false },
        { "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()", """{"resourceType":"Condition","subject":{"reference":"Patient/p"},"abatementDateTime":"2020-01-01","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"res\u006flved"}]}}""", "Condition", false },
        { "verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and code='entered-in-error').empty() or clinicalStatus.empty()", """{"resourceType":"Condition","subject":{"reference":"Patient/p"},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"entered-in-error"}]},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]}}""", "Condition", true },
        { "verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and code='entered-in-error').empty() or clinicalStatus.empty()", """{"resourceType":"Condition","subject":{"reference":"Patient/p"},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]}}""", "Condition", true },
        { "verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and code='entered-in-error').empty() or clinicalStatus.empty()", """{"resourceType":"Condition","subject":{"reference":"Patient/p"},"verificationStatus":{"coding":[null,{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"entered-in-error"}]}}""", "Condition", true },
        { "contained.where(id = 'c').exists()", """{"resourceType":"Claim","contained":[{"resourceType":"Coverage","id":"c"}]}""", "Claim", false },
        { "contained.where(id = 'c').exists()", """{"resourceType":"Claim"}""", "Claim", true },
        { "name.where(given = 'a').empty()", """{"resourceType":"Patient","name":[{"given":["b"]},{"given":["a"]}]}""", "Patient", true },
        { "name.where(given = 'a').empty()", """{"resourceType":"Patient","name":[{"given":["a"]},{"given":["a","b"]}]}""", "Patient", false },
        { "name.where(given = 'a').count() = 1", """{"resourceType":"Patient","name":[{"given":["a"]}]}""", "Patient", true },
        { "name.where(given = 'a').count() = 1", """{"resourceType":"Patient","name":[{"given":["a","b"]}]}""", "Patient", false },
        { "(identifier.count() + name.count()) > 0", """{"resourceType":"Organization","identifier":[{"value":"1"},{"value":"2"}]}""", "Organization", true },
        { "(identifier.count() + name.count()) > 0", """{"resourceType":"Organization","active":true}""", "Organization", true },
        { "(identifier.count() + name.count()) > 0", """{"resourceType":"Organization","_name":{"id":"n"}}""", "Organization", true },
        { "identifier.count() + name.count() >= 3", """{"resourceType":"Organization","identifier":[{"value":"1"},{"value":"2"}],"name":"x"}""", "Organization", true },
        { "identifier.count() < 2 and identifier.count() != 0", """{"resourceType":"Organization","identifier":[{"value":"1"}]}""", "Organization", true },
        { "where(use = 'home').empty()", """{"resourceType":"Organization","address":[{"use":"home","city":"x"}]}""", "Organization.address", true },
        { "where(use = 'home').empty()", """{"resourceType":"Organization","address":[{"use":"work","city":"x"}]}""", "Organization.address", true },
        { "where(use = 'home').empty()", """{"resourceType":"Organization","address":[{"city":"x"}]}""", "Organization.address", true },
        { "where(use = 'home').empty()", """{"resourceType":"Organization","address":[{"use":"h\u006fme","city":"x"}]}""", "Organization.address", false },
        { "onBehalfOf.exists() implies (member.resolve().iif(empty(), true, ofType(Practitioner).exists()))", """{"resourceType":"CareTeam","participant":[{"member":{"reference":"Practitioner/p"}}]}""", "CareTeam.participant", true },
        { "onBehalfOf.exists() implies (member.resolve().iif(empty(), true, ofType(Practitioner).exists()))", """{"resourceType":"CareTeam","participant":[{"member":{"reference":"Practitioner/p"},"onBehalfOf":{"reference":"Organization/o"}}]}""", "CareTeam.participant", false },
        { "name.exists() and %resource.id.exists()", """{"resourceType":"Patient","id":"p"}""", "Patient", true },
        { "name.exists() and %resource.id.exists()", """{"resourceType":"Patient","id":"p","name":[{"family":"f"}]}""", "Patient", false },
        { "name.exists() or telecom", """{"resourceType":"Patient","id":"p"}""", "Patient", false },
        // value[x] among names that start otherwise, are no longer than "value", or spell no type of it (the indexed
        // scan passes those over before comparing), and a type present only as its _name.
        { "value.exists()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"v":1,"valu":2,"value":3,"valueFoo":4,"xvalueString":"s"}""", "Observation", true },
        { "value.exists()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"_valueString":{"id":"i"}}""", "Observation", true },
        { "value.hasValue()", """{"resourceType":"Observation","status":"final","code":{"text":"x"},"issued":"2020","valueString":"y"}""", "Observation", true },
        { "value.hasValue()", """{"resourceType":"Observation","_value":{"id":"i"},"valueBoolean":true,"valueString":"y"}""", "Observation", true },
    };

    [Theory]
    [MemberData(nameof(Crafted))]
    public void Cursor_form_answers_as_the_Boolean_form(string expression, string resource, string focusPath, bool decided)
    {
        var model = BuiltIn.Value.FhirPathModel;
        using var document = ResourceDocument.Parse(resource);
        var focus = Assert.Single(FhirPathExpression.Compile(focusPath).Evaluate(model, document.RootElement).OfType<FhirPathElement>());
        var expected = FhirPathExpression.Compile(expression).EvaluateBoolean(model, focus);
        var cursorForm = FhirPathCompiler.CompileCursorCondition(FhirPathParser.Parse(expression), model);
        var truth = cursorForm?.Invoke(Cursor(focus)) ?? FhirPathTruth.Undecided;
        Assert.Equal(decided, truth != FhirPathTruth.Undecided);
        if (decided) Assert.Equal(expected, truth switch { FhirPathTruth.True => true, FhirPathTruth.False => (bool?)false, _ => null });
        // The same with the focus's names read once (as the walk does where several constraints navigate from it).
        Assert.Equal(truth, cursorForm?.Invoke(IndexedCursor(focus)) ?? FhirPathTruth.Undecided);
    }

    [Theory]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1},"valueString":"y","_valueString":{"id":"i"}}""", true)]
    [InlineData("""{"resourceType":"Observation","st\u0061tus":"final","code":{"text":"x"}}""", false)]
    [InlineData("""{"resourceType":"Observation","status":"final","status":"amended","code":{"text":"x"}}""", true)]
    public void Indexed_names_give_what_the_JSON_gives(string resource, bool usable)
    {
        using var document = ResourceDocument.Parse(resource);
        var index = new FhirPathObjectIndex();
        index.Build(document.RootElement);
        Assert.Equal(usable, index.Usable);
        if (!usable) return;
        foreach (var (name, shadowName) in new[] { ("status", "_status"), ("valueString", "_valueString"), ("valueQuantity", "_valueQuantity"), ("issued", "_issued") })
        {
            JsonProperties.Find(document.RootElement, name, shadowName, out var value, out var shadow);
            index.Find(name, shadowName, out var indexedValue, out var indexedShadow);
            Assert.Equal(Text(value), Text(indexedValue));
            Assert.Equal(Text(shadow), Text(indexedShadow));
        }
        index.Clear();
        Assert.Equal(0, index.Count);
    }

    [Theory]
    [InlineData("""{"reference":"Patient/1","display":"x"}""")]
    [InlineData("""{"refer\u0065nce":"#a","_reference":{"id":"r"}}""")]
    [InlineData("""{"_refer\u0065nce":{"id":"r"},"reference":"#b","reference":"#c"}""")]
    [InlineData("""{"r\u00e9ference":"x","référence":"y","referenc":"z","referencee":"w","\\reference":"v"}""")]
    [InlineData("""{"\u0069d":"a","id":"b","_id":{"id":"c"},"_i\u0064":{"id":"d"},"ids":"e"}""")]
    public void Names_given_as_UTF8_are_found_as_the_string_names_are(string json)
    {
        using var document = ResourceDocument.Parse(json);
        foreach (var name in new[] { "reference", "id", "display" })
        {
            JsonProperties.Find(document.RootElement, name, "_" + name, out var value, out var shadow);
            JsonProperties.Find(document.RootElement, System.Text.Encoding.UTF8.GetBytes(name), System.Text.Encoding.UTF8.GetBytes("_" + name), out var utf8Value, out var utf8Shadow);
            Assert.Equal(Text(value), Text(utf8Value));
            Assert.Equal(Text(shadow), Text(utf8Shadow));
        }
    }

    [Fact]
    public void Names_given_as_UTF8_are_found_as_the_string_names_are_in_every_Synthea_object()
    {
        var compared = 0;
        foreach (var (text, _) in ExampleCorpus.SyntheaLines(perFile: 150))
        {
            using var document = ResourceDocument.Parse(text);
            compared += CompareObjects(document.RootElement);
        }
        Assert.True(compared > 10_000, $"only {compared} objects compared");

        static int CompareObjects(ResourceElement element)
        {
            var compared = 0;
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray()) compared += CompareObjects(item);
                return compared;
            }
            if (element.ValueKind != JsonValueKind.Object) return 0;
            foreach (var name in new[] { "reference", "id", "system", "code" })
            {
                JsonProperties.Find(element, name, "_" + name, out var value, out var shadow);
                JsonProperties.Find(element, System.Text.Encoding.UTF8.GetBytes(name), System.Text.Encoding.UTF8.GetBytes("_" + name), out var utf8Value, out var utf8Shadow);
                Assert.Equal(Text(value), Text(utf8Value));
                Assert.Equal(Text(shadow), Text(utf8Shadow));
            }
            foreach (var property in element.EnumerateObject()) compared += CompareObjects(property.Value);
            return compared + 1;
        }
    }

    [Fact]
    public void Path_counts_read_once_answer_only_the_same_path_table_and_limit()
    {
        var model = BuiltIn.Value.FhirPathModel;
        using var document = ResourceDocument.Parse("""{"resourceType":"Patient","name":[{"given":["a","b"]}]}""");
        var name = Assert.Single(FhirPathExpression.Compile("Patient.name").Evaluate(model, document.RootElement).OfType<FhirPathElement>());
        var exists = FhirPathCompiler.CompileCursorCondition(FhirPathParser.Parse("given.exists()"), model)!;
        var hasValue = FhirPathCompiler.CompileCursorCondition(FhirPathParser.Parse("given.hasValue()"), model)!;
        var indexed = IndexedCursor(name);
        Assert.Equal(FhirPathTruth.True, exists(indexed)); // counts given up to one
        Assert.Equal(FhirPathTruth.False, hasValue(indexed)); // up to two: two items, not the one counted before
        Assert.Equal(hasValue(Cursor(name)), hasValue(indexed));

        var index = new FhirPathObjectIndex();
        index.Build(document.RootElement);
        ChildTable a = new() { Path = "A" }, b = new() { Path = "B" };
        index.AddCount("name", a, 1, 1, default);
        Assert.True(index.TryGetCount("name", a, 1, out var count, out _) && count == 1);
        Assert.False(index.TryGetCount("name", b, 1, out _, out _)); // read with another profile's table
        Assert.False(index.TryGetCount("name", a, 2, out _, out _));
        Assert.False(index.TryGetCount("name.given", a, 1, out _, out _));
        index.Build(document.RootElement);
        Assert.False(index.TryGetCount("name", a, 1, out _, out _)); // another object (or the same read again)
    }

    [Fact]
    public void Name_signature_never_rules_out_a_name_the_object_has()
    {
        // A member step is answered "nothing" without a lookup when the object's name signature lacks its names: every
        // name of every object in the corpus must be in its object's signature, and a name's bit must be the same from
        // its UTF-8 bytes (the object) and its string (the compiled step).
        var checkedNames = 0;
        var ruledOut = 0;
        void Walk(ResourceElement value)
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in value.EnumerateArray()) Walk(item);
                return;
            }
            if (value.ValueKind != JsonValueKind.Object) return;
            var index = new FhirPathObjectIndex();
            index.Build(value);
            foreach (var property in value.EnumerateObject())
            {
                if (index.Usable)
                {
                    checkedNames++;
                    Assert.Equal(FhirPathObjectIndex.NameBit(System.Text.Encoding.UTF8.GetBytes(property.Name)), FhirPathObjectIndex.NameBit(property.Name));
                    Assert.True(index.MayHaveAny(FhirPathObjectIndex.NameBit(property.Name)), "a present name is ruled out");
                    // Names it lacks are mostly ruled out: the signature is worth asking.
                    if (!index.MayHaveAny(FhirPathObjectIndex.NameBit(property.Name + "Absent"))) ruledOut++;
                }
                Walk(property.Value);
            }
        }
        foreach (var (text, _) in ExampleCorpus.SyntheaLines(perFile: 20))
        {
            using var document = ResourceDocument.Parse(text);
            Walk(document.RootElement);
        }
        using var emptyDocument = ResourceDocument.Parse("{}");
        var empty = new FhirPathObjectIndex();
        empty.Build(emptyDocument.RootElement);
        Assert.False(empty.MayHaveAny(FhirPathObjectIndex.NameBit("value")));
        output.WriteLine($"{checkedNames} names checked, {ruledOut} absent names ruled out");
        Assert.True(checkedNames > 10_000, $"only {checkedNames} names checked");
        Assert.True(ruledOut > checkedNames / 2, $"only {ruledOut} of {checkedNames} absent names ruled out");
    }

    private static string? Text(ResourceElement value) => value.ValueKind == JsonValueKind.Undefined ? null : value.GetRawText();

    [Fact]
    public void Native_decisions_give_the_expression_verdict_on_every_example_and_Synthea_element()
    {
        var compiler = new ProfileCompiler(BuiltInRuleSet.Load());
        compiler.CompileAll(BuiltInRuleSet.Load().Profiles.Values.Where(p => p.Kind == "resource").Select(p => p.Url).Order(StringComparer.Ordinal));
        var memberOf = compiler.MemberOfCodeSets();
        var model = new FhirPathModel(
            type => FhirResourceTypes.IsKnown(type) && compiler.Compiled.TryGetValue(BaseUrl + type, out var p) ? p.Root : null,
            url => memberOf.GetValueOrDefault(url));
        var profilesByType = compiler.Compiled.Values.Where(p => FhirResourceTypes.IsKnown(p.Type)).GroupBy(p => p.Type).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        var tally = new Tally();
        void Check(ResourceElement resource, string where)
        {
            if (!resource.TryGetProperty("resourceType"u8, out var type) || !profilesByType.TryGetValue(type.GetString()!, out var profiles)) return;
            // The root's names are read once for all the profiles a resource is walked against (as the validator's are):
            // path counts taken there under one profile's table must not answer for another's.
            var root = new FhirPathObjectIndex();
            root.Build(resource);
            foreach (var profile in profiles) Visit(model, model.Resource(resource, null, "", profile.Root), profile.Root.Invariants, $"{where} {profile.Id}", tally, root);
        }
        foreach (var file in ExampleCorpus.ExampleFiles())
        {
            using var document = ResourceDocument.Parse(File.ReadAllBytes(file));
            Check(document.RootElement, Path.GetFileName(file));
        }
        foreach (var (text, where) in ExampleCorpus.SyntheaLines(perFile: 150))
        {
            using var document = ResourceDocument.Parse(text);
            Check(document.RootElement, where);
        }
        foreach (var (key, (decided, undecided)) in tally.ByKey.OrderByDescending(k => k.Value.Decided).Take(30))
            output.WriteLine($"{key}: {decided} decided natively, {undecided} left to the expression");
        output.WriteLine($"{tally.Decided} native decisions compared, {tally.Undecided} left to the expression");
        Assert.True(tally.Mismatches.Count == 0, string.Join('\n', tally.Mismatches.Take(20)));
        Assert.True(tally.Decided > 100_000, $"only {tally.Decided} native decisions");
        foreach (var key in new[] { "qty-3", "obs-6", "us-core-2", "dom-4", "us-core-8", "ext-1", "con-4", "con-5" })
            Assert.True(tally.ByKey.TryGetValue(key, out var counts) && counts.Decided > 100, $"{key} is decided natively");
    }

    /// <summary>The element's constraints, then its children's with their element's and type's constraints, as the invariant walk applies them.</summary>
    private static void Visit(FhirPathModel model, FhirPathElement element, CompiledInvariant[]? invariants, string where, Tally tally, FhirPathObjectIndex? names = null)
    {
        Compare(model, element, invariants, where, tally, names);
        if (element.Table is not { } table) return;
        var children = new List<object>();
        FhirPathNavigator.AllChildren(model, element, children);
        foreach (var child in children.OfType<FhirPathElement>())
        {
            if (child.IsResource && child.Table is { } resourceTable)
            {
                Visit(model, child, resourceTable.Invariants, where, tally);
                continue;
            }
            if (!table.ByJsonName.TryGetValue(child.Name, out var entry)) continue;
            Compare(model, child, entry.Node.Invariants, where, tally);
            Visit(model, child, entry.Slot.TypeInvariants, where, tally);
        }
    }

    private static void Compare(FhirPathModel model, FhirPathElement element, CompiledInvariant[]? invariants, string where, Tally tally, FhirPathObjectIndex? names = null)
    {
        if (invariants is null) return;
        // One reading of the focus's names for all its constraints, as the walk keeps it: the path counts the first
        // constraints took there answer the later ones (and a constraint asked twice answers from them).
        var indexedCursor = names is not null ? Cursor(element) with { Members = names } : IndexedCursor(element);
        foreach (var invariant in invariants)
        {
            if (invariant.Native is null) continue;
            var native = invariant.Native(Cursor(element));
            // The walk reads the focus's names once where several constraints navigate from it: the same answer.
            if (invariant.NavigatesFocus && (invariant.Native(indexedCursor), invariant.Native(indexedCursor)) is var (indexed, again) && (indexed != native || again != native))
                tally.Mismatches.Add($"{where} {element.Name}: {invariant.Key} on the names read once {indexed} then {again}, on the JSON {native}");
            tally.ByKey.TryGetValue(invariant.Key, out var counts);
            if (native is not { } verdict)
            {
                tally.Undecided++;
                tally.ByKey[invariant.Key] = (counts.Decided, counts.Undecided + 1);
                continue;
            }
            tally.Decided++;
            tally.ByKey[invariant.Key] = (counts.Decided + 1, counts.Undecided);
            string expression;
            try
            {
                expression = invariant.Expression.EvaluateBoolean(model, element) == false ? "fails" : "passes";
            }
            catch (FhirPathException e)
            {
                expression = "error " + e.Message;
            }
            if (expression != (verdict ? "passes" : "fails")) tally.Mismatches.Add($"{where} {element.Name}: {invariant.Key} native {verdict}, expression {expression}");
        }
    }

    [Fact]
    public void Compiled_member_steps_navigate_as_steps_resolved_each_time()
    {
        // One step cache per name shared by every table the corpus meets: more tables than a cache keeps, so both its
        // answers and its overflow are compared with navigation resolving the step at each use.
        var model = BuiltIn.Value.FhirPathModel;
        var caches = new Dictionary<string, FhirPathStepCache[]>(StringComparer.Ordinal);
        var compared = 0;
        var mismatches = new List<string>();
        void Walk(FhirPathElement element, string where)
        {
            if (element.Table is { } table && element.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in table.ByJsonName.Keys.Concat(table.ChoiceByName.Keys).Append("notAnElement"))
                {
                    if (!caches.TryGetValue(name, out var steps)) caches[name] = steps = FhirPathStepCache.ForPath([name]);
                    var cursor = Cursor(element);
                    FhirPathCursor cachedLast = default, resolvedLast = default;
                    var cached = FhirPathNavigator.CountPath(model, cursor, [name], ["_" + name], 0, 3, ref cachedLast, steps);
                    var resolved = FhirPathNavigator.CountPath(model, cursor, [name], ["_" + name], 0, 3, ref resolvedLast);
                    compared++;
                    if (cached != resolved || cachedLast.Type != resolvedLast.Type || !ReferenceEquals(cachedLast.Table, resolvedLast.Table) || Text(cachedLast.Value) != Text(resolvedLast.Value))
                        mismatches.Add($"{where} {element.Name}.{name}: {cached} {cachedLast.Type} with the compiled step, {resolved} {resolvedLast.Type} resolved");
                }
            }
            var children = new List<object>();
            FhirPathNavigator.AllChildren(model, element, children);
            foreach (var child in children.OfType<FhirPathElement>()) Walk(child, where);
        }
        foreach (var (text, where) in ExampleCorpus.SyntheaLines(perFile: 20))
        {
            using var document = ResourceDocument.Parse(text);
            Walk(model.Resource(document.RootElement, null, ""), where);
        }
        foreach (var file in ExampleCorpus.ExampleFiles().Take(300))
        {
            using var document = ResourceDocument.Parse(File.ReadAllBytes(file));
            Walk(model.Resource(document.RootElement, null, ""), Path.GetFileName(file));
        }
        output.WriteLine($"{compared} member steps compared over {caches.Count} names");
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches.Take(20)));
        Assert.True(compared > 10_000, $"only {compared} steps compared");
    }

    private static FhirPathCursor Cursor(FhirPathElement element) => new(element.Value, element.Shadow, element.Type, element.Table);

    private static FhirPathCursor IndexedCursor(FhirPathElement element)
    {
        if (element.Value.ValueKind != JsonValueKind.Object) return Cursor(element);
        var index = new FhirPathObjectIndex();
        index.Build(element.Value);
        return Cursor(element) with { Members = index };
    }

    private sealed class Tally
    {
        public int Decided;
        public int Undecided;
        public Dictionary<string, (int Decided, int Undecided)> ByKey { get; } = new(StringComparer.Ordinal);
        public List<string> Mismatches { get; } = [];
    }
}
