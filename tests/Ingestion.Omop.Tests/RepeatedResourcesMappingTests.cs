namespace Ingestion.Omop.Tests;

/// <summary>
/// A file repeats codes, dates and references, and the mapper remembers them per file (<see cref="MappedRows"/>):
/// a resource mapped after many others in the same file gives the rows and outcome it gives alone in a file of its
/// own, for mapped, unmapped and one-to-many codes and for bad dates.
/// </summary>
public class RepeatedResourcesMappingTests
{
    private static readonly IVocabulary Vocabulary = TestVocabulary.Create();

    private static string Observation(string id, string code, string when, string value = "120") => $$$"""
        {"resourceType":"Observation","id":"{{{id}}}","status":"final","subject":{"reference":"Patient/p{{{id.Length % 3}}}"},
         "encounter":{"reference":"Encounter/e1"},"effectiveDateTime":"{{{when}}}",
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"{{{code}}}"}]},
         "valueQuantity":{"value":{{{value}}},"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}
        """;

    private static string Condition(string id, string system, string code, string onset) => $$$"""
        {"resourceType":"Condition","id":"{{{id}}}","subject":{"reference":"Patient/p1"},"onsetDateTime":"{{{onset}}}",
         "code":{"coding":[{"system":"{{{system}}}","code":"{{{code}}}"}]}}
        """;

    private static string Medication(string id, string code) => $$$"""
        {"resourceType":"MedicationRequest","id":"{{{id}}}","status":"active","intent":"order","subject":{"reference":"Patient/p2"},
         "authoredOn":"2020-01-02T08:00:00Z","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"{{{code}}}"}]}}
        """;

    private static string CategorizedObservation(string id, string category, string code, string value = "") => $$$"""
        {"resourceType":"Observation","id":"{{{id}}}","status":"final","subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-03-05",
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"{{{category}}}"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"{{{code}}}"}]}{{{value}}}}
        """;

    private const string CauseOfDeathValue = """
        ,"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]}
        """;

    private const string Procedure = """
        {"resourceType":"Procedure","id":"pr1","status":"completed","subject":{"reference":"Patient/p1"},"encounter":{"reference":"Encounter/e1"},
         "code":{"coding":[{"system":"http://snomed.info/sct","code":"430193006"}]},
         "performedPeriod":{"start":"2020-03-04T10:00:00-05:00","end":"2020-03-04T10:30:00-05:00"},
         "performer":[{"actor":{"reference":"Practitioner/dr1"}}]}
        """;

    private const string Immunization = """
        {"resourceType":"Immunization","id":"im1","status":"completed","patient":{"reference":"Patient/p2"},"encounter":{"reference":"Encounter/e1"},
         "vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]},"occurrenceDateTime":"2020-03-04T10:00:00-05:00",
         "route":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration","code":"IM"}]},
         "doseQuantity":{"value":0.5},"performer":[{"actor":{"reference":"Practitioner/dr1"}}]}
        """;

    private const string ProblemListCondition = """
        {"resourceType":"Condition","id":"c4","subject":{"reference":"Patient/p1"},"encounter":{"reference":"Encounter/e1"},
         "onsetPeriod":{"start":"2019-01-02"},"abatementDateTime":"2020-01-02T00:00:00Z","asserter":{"reference":"Practitioner/dr1"},
         "category":[{"coding":[{"code":"problem-list-item"}]}],"verificationStatus":{"coding":[{"code":"confirmed"}]},
         "code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]}}
        """;

    private const string ExplanationOfBenefit = """
        {"resourceType":"ExplanationOfBenefit","id":"eob1","status":"active","patient":{"reference":"Patient/p1"},
         "contained":[{"resourceType":"ServiceRequest","id":"referral","status":"completed","subject":{"reference":"Patient/p1"}},
                      {"resourceType":"Coverage","id":"coverage","type":{"text":"Medicaid"},"payor":[{"display":"Medicaid"}]}],
         "billablePeriod":{"start":"2020-03-04T10:00:00-05:00","end":"2020-03-05T10:00:00-05:00"},"created":"2020-03-04T10:00:00-05:00",
         "item":[{"sequence":1,"encounter":[{"reference":"Encounter/e1"}]}],
         "total":[{"category":{"coding":[{"code":"submitted"}]},"amount":{"value":120.5,"currency":"USD"}}],
         "payment":{"amount":{"value":100.25,"currency":"USD"}}}
        """;

    // The claim, encounter and note reach their visit and care site keys through the file's reference memo.
    private const string Claim = """
        {"resourceType":"Claim","id":"cl1","status":"active","patient":{"reference":"Patient/p1"},
         "billablePeriod":{"start":"2020-03-04T10:00:00-05:00"},"total":{"value":10.5,"currency":"USD"},
         "item":[{"sequence":1,"encounter":[{"reference":"Encounter/e2"}]}]}
        """;

    private const string Encounter = """
        {"resourceType":"Encounter","id":"e2","status":"finished","subject":{"reference":"Patient/p1"},
         "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
         "period":{"start":"2020-03-04T10:00:00-05:00","end":"2020-03-04T11:00:00-05:00"},
         "participant":[{"individual":{"reference":"Practitioner/dr1"}}],"serviceProvider":{"reference":"Organization/org1"}}
        """;

    private const string Note = """
        {"resourceType":"DocumentReference","id":"d1","status":"current","subject":{"reference":"Patient/p2"},
         "date":"2020-03-04T10:00:00Z","author":[{"reference":"Practitioner/dr1"}],"context":{"encounter":[{"reference":"Encounter/e2"}]}}
        """;

    private static readonly string[] All =
    [
        Observation("o1", "8480-6", "2020-03-04T10:00:00-05:00"),
        Observation("o22", "8480-6", "2020-03-04T10:00:00-05:00", "120.50"),
        Observation("o333", "9999-9", "2020-03-04"), // not in the vocabulary: concept 0, source kept
        Observation("o4", "8462-4", "2020-13-04T10:00:00Z"), // no such month: quarantined
        Condition("c1", "http://snomed.info/sct", "275272006", "2020-03-04"), // known, no standard: concept 0
        Condition("c2", "http://hl7.org/fhir/sid/icd-10-cm", "Z87.891", "2020-03-04T10:00:00Z"), // Maps to + Maps to value
        Condition("c3", "http://snomed.info/sct", "44054006", "not a date"),
        Medication("m1", "10831"), // two "Maps to": two rows
        // More categories than the file's memo holds: each Observation's unmapped code goes to its category's table.
        CategorizedObservation("o5", "laboratory", "9999-1"),
        CategorizedObservation("o6", "survey", "9999-2"),
        CategorizedObservation("o7", "exam", "9999-3"),
        CategorizedObservation("o8", "social-history", "9999-4"),
        CategorizedObservation("o9", "imaging", "9999-5"),
        CategorizedObservation("o10", "vital\\u002Dsigns", "9999-6"), // escaped: still vital signs
        CategorizedObservation("o11", "laboratory", "69453-9", CauseOfDeathValue), // cause of death: a death row too
        CategorizedObservation("o12", "survey", "69453\\u002D9", CauseOfDeathValue), // the same code escaped
        Procedure,
        Immunization,
        ProblemListCondition,
        ExplanationOfBenefit,
        Claim,
        Encounter,
        Note,
    ];

    public static TheoryData<string> Resources
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var resource in All) data.Add(resource);
            return data;
        }
    }

    [Fact]
    public void Escaped_category_and_cause_of_death_codes_count_as_if_written_plainly()
    {
        var mapper = new OmopMapper(Vocabulary, new FakeDeidentifier());
        var sink = new RecordingSink();
        var report = new MappingReport();
        // After plain ones, so the memos have seen the plain texts.
        mapper.Map(Fhir.Parse(CategorizedObservation("o1", "vital-signs", "9999-6")), sink, report);
        mapper.Map(Fhir.Parse(CategorizedObservation("o2", "survey", "69453-9", CauseOfDeathValue)), sink, report);
        mapper.Map(Fhir.Parse(CategorizedObservation("o3", "vital\\u002Dsigns", "9999-6")), sink, report);
        mapper.Map(Fhir.Parse(CategorizedObservation("o4", "survey", "69453\\u002D9", CauseOfDeathValue)), sink, report);
        mapper.Map(Fhir.Parse(CategorizedObservation("o5", "survey", "69453-99", CauseOfDeathValue)), sink, report); // another code

        Assert.Equal(2, sink.Rows["measurement"].Count);
        Assert.Equal(2, sink.Rows["death"].Count);
    }

    [Theory]
    [InlineData("o\\u0031", "o1")] // escaped: keyed by the id it stands for
    [InlineData("\\u00e9v\\u00e9nement", "\u00e9v\u00e9nement")] // non-ASCII, escaped
    [InlineData("\u00e9v\u00e9nement", "\u00e9v\u00e9nement")] // non-ASCII as UTF-8
    [InlineData("id-of-300-characters", "id-of-300-characters")] // longer than the key's stack buffer
    public void A_resources_row_key_derives_from_the_id_it_stands_for(string written, string id)
    {
        if (id == "id-of-300-characters") written = id = new string('a', 300);
        var deidentifier = new FakeDeidentifier();
        var mapper = new OmopMapper(Vocabulary, deidentifier);
        var sink = new RecordingSink();

        var outcome = mapper.Map(Fhir.Parse(Observation(written, "8480-6", "2020-03-04T10:00:00-05:00").Replace("Patient/p", "Patient/q")), sink, new MappingReport());

        Assert.Equal(MappingStatus.Mapped, outcome.Status);
        var rows = sink.Rows.Values.SelectMany(r => r).ToList();
        Assert.Contains(rows, r => r[0] is long key && key == deidentifier.PseudonymousId(Ingestion.Privacy.OmopKeyDomain.Measurement, "Observation/" + id));
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public void A_resource_maps_the_same_with_resourceType_last_as_first(string json)
    {
        // resourceType first: the members are read in one pass with the header; elsewhere: the header, then a pass of the type's own.
        var moved = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        var type = moved["resourceType"]!.DeepClone();
        moved.Remove("resourceType");
        moved.Add("resourceType", type);
        var mapper = new OmopMapper(Vocabulary, new FakeDeidentifier());
        var first = new RecordingSink();
        var last = new RecordingSink();

        Assert.Equal(mapper.Map(Fhir.Parse(json), first, new MappingReport()), mapper.Map(Fhir.Parse(moved.ToJsonString()), last, new MappingReport()));
        Assert.Equal(first.Rows.Keys.Order(), last.Rows.Keys.Order());
        foreach (var (table, rows) in first.Rows) Assert.Equal(rows, last.Rows[table]);
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public void A_resource_maps_the_same_after_the_files_other_resources_as_alone(string json)
    {
        var mapper = new OmopMapper(Vocabulary, new FakeDeidentifier());
        var alone = new RecordingSink();
        var expectedOutcome = mapper.Map(Fhir.Parse(json), alone, new MappingReport());

        var file = new RecordingSink();
        var report = new MappingReport();
        // Every resource twice first (their codes, dates and references remembered), then this one again.
        foreach (var other in All.Concat(All)) mapper.Map(Fhir.Parse(other), file, report);
        var before = file.Rows.ToDictionary(t => t.Key, t => t.Value.Count);
        var outcome = mapper.Map(Fhir.Parse(json), file, report);

        Assert.Equal(expectedOutcome, outcome);
        foreach (var (table, rows) in alone.Rows)
        {
            var added = file.Rows[table].Skip(before.GetValueOrDefault(table)).ToList();
            Assert.Equal(rows.Count, added.Count);
            for (var i = 0; i < rows.Count; i++) Assert.Equal(rows[i], added[i]);
        }
    }
}
