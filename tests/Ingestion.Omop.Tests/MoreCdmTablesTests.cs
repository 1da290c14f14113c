using Ingestion.Privacy;

namespace Ingestion.Omop.Tests;

/// <summary>specimen, note, cost, payer_plan_period, visit_detail and death cause from crafted FHIR resources.</summary>
public class MoreCdmTablesTests
{
    private static readonly IVocabulary Vocabulary = TestVocabulary.Create();
    private readonly FakeDeidentifier _deid = new();
    private readonly RecordingSink _sink = new();
    private readonly MappingReport _report = new();

    private MappingOutcome Map(string json) => new OmopMapper(Vocabulary, _deid).Map(Fhir.Parse(json), _sink, _report);

    private static object? Cell(object?[] row, OmopTable table, string column) => row[table.IndexOf(column)];

    [Fact]
    public void Specimen_becomes_a_specimen_row_with_shifted_date_and_no_accession_number()
    {
        var outcome = Map("""
            {"resourceType":"Specimen","id":"s1","subject":{"reference":"Patient/p1"},
             "accessionIdentifier":{"value":"ACC-SECRET-1"},
             "type":{"coding":[{"system":"http://snomed.info/sct","code":"119297000"}]},
             "collection":{"collectedDateTime":"2021-05-06T08:00:00Z","quantity":{"value":2.5,"system":"http://unitsofmeasure.org","code":"kg"}}}
            """);

        Assert.Equal(MappingOutcome.Mapped(1), outcome);
        var t = CdmTables.Specimen;
        var row = Assert.Single(_sink.Of(t));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Specimen, "Specimen/s1"), row[0]);
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Person, "p1"), Cell(row, t, "person_id"));
        Assert.Equal(_deid.ShiftDate("p1", "2021-05-06"), Cell(row, t, "specimen_date"));
        Assert.Equal(2.5, Cell(row, t, "quantity"));
        Assert.Equal(TestVocabulary.Kilogram, Cell(row, t, "unit_concept_id"));
        Assert.Equal("119297000", Cell(row, t, "specimen_source_value"));
        Assert.Null(Cell(row, t, "specimen_source_id"));
        Assert.DoesNotContain(row, v => v is string s && s.Contains("ACC-SECRET", StringComparison.Ordinal));
    }

    [Fact]
    public void Specimen_without_a_collection_date_is_quarantined()
    {
        var outcome = Map("""{"resourceType":"Specimen","id":"s1","subject":{"reference":"Patient/p1"}}""");

        Assert.Equal(QuarantineReasons.MissingDate, outcome.QuarantineReason);
        Assert.Empty(_sink.Rows);
    }

    [Fact]
    public void Document_reference_becomes_note_metadata_and_its_text_never_leaves()
    {
        var outcome = Map("""
            {"resourceType":"DocumentReference","id":"d1","status":"current","subject":{"reference":"Patient/p1"},
             "date":"2021-05-06T08:00:00Z","description":"Note about Jane Doe",
             "type":{"coding":[{"system":"http://loinc.org","code":"34117-2"}]},
             "author":[{"reference":"Practitioner/pr1"}],
             "content":[{"attachment":{"contentType":"text/plain","data":"UGF0aWVudCBKYW5lIERvZQ=="}}],
             "context":{"encounter":[{"reference":"Encounter/e1"}]}}
            """);

        Assert.Equal(MappingOutcome.Mapped(1), outcome);
        var t = CdmTables.Note;
        var row = Assert.Single(_sink.Of(t));
        Assert.Equal(string.Empty, Cell(row, t, "note_text"));
        Assert.Null(Cell(row, t, "note_title"));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.VisitOccurrence, "e1"), Cell(row, t, "visit_occurrence_id"));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Provider, "pr1"), Cell(row, t, "provider_id"));
        Assert.Equal(_deid.ShiftDate("p1", "2021-05-06"), Cell(row, t, "note_date"));
        Assert.Equal("34117-2", Cell(row, t, "note_source_value"));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Note, "DocumentReference/d1"), Cell(row, t, "note_id"));
        Assert.DoesNotContain(row, v => v is string s && (s.Contains("Jane", StringComparison.Ordinal) || s.Contains("UGF0", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("d\\u0031", "d1")] // escaped: keyed by the id it stands for
    [InlineData("\\u00e9crit", "\u00e9crit")]
    [InlineData("note-of-300-characters", "note-of-300-characters")] // longer than the key's stack buffer
    public void A_note_is_keyed_by_the_id_it_stands_for(string written, string id)
    {
        if (id == "note-of-300-characters") written = id = new string('n', 300);
        var outcome = Map($$$"""
            {"resourceType":"DocumentReference","id":"{{{written}}}","status":"current","subject":{"reference":"Patient/p1"},
             "date":"2021-05-06T08:00:00Z","context":{"encounter":[{"reference":"Encounter/e1"}]}}
            """);

        Assert.Equal(MappingOutcome.Mapped(1), outcome);
        var row = Assert.Single(_sink.Of(CdmTables.Note));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Note, "DocumentReference/" + id), Cell(row, CdmTables.Note, "note_id"));
    }

    private const string ClaimJson = """
        {"resourceType":"Claim","id":"cl1","status":"active","patient":{"reference":"Patient/p1"},
         "billablePeriod":{"start":"2021-01-02T10:00:00Z","end":"2021-01-02T11:00:00Z"},
         "total":{"value":129.16,"currency":"USD"},
         "item":[{"sequence":1,"encounter":[{"reference":"Encounter/e1"}]}]}
        """;

    [Fact]
    public void Claim_becomes_a_cost_row_of_its_encounters_visit()
    {
        var outcome = Map(ClaimJson);

        Assert.Equal(MappingOutcome.Mapped(1), outcome);
        var t = CdmTables.Cost;
        var row = Assert.Single(_sink.Of(t));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Cost, "Claim/cl1"), row[0]);
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.VisitOccurrence, "e1"), Cell(row, t, "cost_event_id"));
        Assert.Equal("Visit", Cell(row, t, "cost_domain_id"));
        Assert.Equal(129.16, Cell(row, t, "total_charge"));
        Assert.Equal(44818668, Cell(row, t, "currency_concept_id"));
        Assert.Null(Cell(row, t, "total_paid"));
    }

    [Fact]
    public void Pharmacy_claim_costs_the_prescriptions_drug_exposure()
    {
        Map(ClaimJson.Replace("\"item\"", "\"prescription\":{\"reference\":\"MedicationRequest/m1\"},\"item\"", StringComparison.Ordinal));

        var row = Assert.Single(_sink.Of(CdmTables.Cost));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.DrugExposure, "MedicationRequest/m1"), Cell(row, CdmTables.Cost, "cost_event_id"));
        Assert.Equal("Drug", Cell(row, CdmTables.Cost, "cost_domain_id"));
    }

    [Fact]
    public void Claim_that_names_no_event_is_quarantined_with_its_reason()
    {
        var outcome = Map("""{"resourceType":"Claim","id":"cl2","status":"active","patient":{"reference":"Patient/p1"},"created":"2021-01-02"}""");

        Assert.Equal(QuarantineReasons.MissingCostEvent, outcome.QuarantineReason);
        Assert.Empty(_sink.Rows);
    }

    [Fact]
    public void Cancelled_claim_is_excluded_by_status()
    {
        var outcome = Map(ClaimJson.Replace("\"active\"", "\"cancelled\"", StringComparison.Ordinal));

        Assert.Equal(MappingStatus.Excluded, outcome.Status);
        Assert.Empty(_sink.Rows);
    }

    [Fact]
    public void Explanation_of_benefit_gives_a_payer_plan_period_and_a_cost_row_linked_to_it()
    {
        var outcome = Map("""
            {"resourceType":"ExplanationOfBenefit","id":"eob1","status":"active","patient":{"reference":"Patient/p1"},
             "contained":[{"resourceType":"Coverage","id":"coverage","type":{"text":"Medicaid"},"payor":[{"display":"Medicaid"}]}],
             "billablePeriod":{"start":"2021-01-02T10:00:00Z","end":"2022-01-02T10:00:00Z"},
             "insurer":{"display":"Medicaid"},
             "item":[{"sequence":1,"encounter":[{"reference":"Encounter/e1"}]}],
             "total":[{"category":{"coding":[{"code":"submitted"}]},"amount":{"value":100.0,"currency":"USD"}}],
             "payment":{"amount":{"value":80.0,"currency":"USD"}}}
            """);

        Assert.Equal(MappingOutcome.Mapped(2), outcome);
        var p = CdmTables.PayerPlanPeriod;
        var period = Assert.Single(_sink.Of(p));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.PayerPlanPeriod, "ExplanationOfBenefit/eob1"), period[0]);
        Assert.Equal(_deid.ShiftDate("p1", "2021-01-02"), Cell(period, p, "payer_plan_period_start_date"));
        Assert.Equal(_deid.ShiftDate("p1", "2022-01-02"), Cell(period, p, "payer_plan_period_end_date"));
        Assert.Equal("Medicaid", Cell(period, p, "payer_source_value"));
        var c = CdmTables.Cost;
        var cost = Assert.Single(_sink.Of(c));
        Assert.Equal(period[0], Cell(cost, c, "payer_plan_period_id"));
        Assert.Equal(100.0, Cell(cost, c, "total_charge"));
        Assert.Equal(80.0, Cell(cost, c, "total_paid"));
        Assert.Equal(80.0, Cell(cost, c, "paid_by_payer"));
    }

    [Fact]
    public void Encounter_that_is_part_of_another_is_also_a_visit_detail_of_the_enclosing_visit()
    {
        var outcome = Map("""
            {"resourceType":"Encounter","id":"ward1","status":"finished","class":{"code":"IMP"},
             "subject":{"reference":"Patient/p1"},"partOf":{"reference":"Encounter/adm1"},
             "period":{"start":"2021-01-02T10:00:00Z","end":"2021-01-03T10:00:00Z"}}
            """);

        Assert.Equal(MappingOutcome.Mapped(2), outcome);
        Assert.Single(_sink.Of(CdmTables.VisitOccurrence));
        var t = CdmTables.VisitDetail;
        var detail = Assert.Single(_sink.Of(t));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.VisitDetail, "ward1"), detail[0]);
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.VisitOccurrence, "adm1"), Cell(detail, t, "visit_occurrence_id"));
        Assert.Equal(9201, Cell(detail, t, "visit_detail_concept_id"));
        Assert.Equal(_deid.ShiftDate("p1", "2021-01-03"), Cell(detail, t, "visit_detail_end_date"));
    }

    [Fact]
    public void Encounter_without_part_of_has_no_visit_detail()
    {
        Map("""
            {"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},
             "subject":{"reference":"Patient/p1"},"period":{"start":"2021-01-02T10:00:00Z"}}
            """);

        Assert.Empty(_sink.Of(CdmTables.VisitDetail));
    }

    [Fact]
    public void Cause_of_death_certificate_gives_a_death_row_with_the_cause_and_keeps_its_observation()
    {
        Map("""
            {"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},
             "effectiveDateTime":"2021-01-02T10:00:00Z",
             "code":{"coding":[{"system":"http://loinc.org","code":"69453-9"}]},
             "valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]}}
            """);

        var t = CdmTables.Death;
        var death = Assert.Single(_sink.Of(t));
        Assert.Equal(_deid.PseudonymousId(OmopKeyDomain.Person, "p1"), death[0]);
        Assert.Equal(TestVocabulary.Type2Diabetes, Cell(death, t, "cause_concept_id"));
        Assert.Equal("44054006", Cell(death, t, "cause_source_value"));
        Assert.Equal(_deid.ShiftDate("p1", "2021-01-02"), Cell(death, t, "death_date"));
        Assert.Single(_sink.Of(CdmTables.Observation));
    }

    [Fact]
    public void Deleting_an_explanation_of_benefit_lists_its_cost_and_payer_plan_period_rows()
    {
        var outcome = new OmopMapper(Vocabulary, _deid).MapDeleted(Fhir.Parse("""
            {"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"ExplanationOfBenefit/eob1"}}]}
            """), _sink, _report, null);

        Assert.Equal(MappingOutcome.Mapped(2), outcome);
        var rows = _sink.Of(CdmTables.Deletions);
        Assert.Equal(["cost", "payer_plan_period"], rows.Select(r => (string)r[1]!).Order());
        Assert.Contains(rows, r => (long)r[2]! == _deid.PseudonymousId(OmopKeyDomain.PayerPlanPeriod, "ExplanationOfBenefit/eob1"));
    }
}
