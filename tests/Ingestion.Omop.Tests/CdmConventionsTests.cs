namespace Ingestion.Omop.Tests;

/// <summary>The OHDSI conventions an analyst relies on: *_date = UTC date of *_datetime, comparators, drug end dates
/// from the supply, visit source value from Encounter.type, condition type and status.</summary>
public class CdmConventionsTests
{
    private static readonly IVocabulary Vocabulary = TestVocabulary.Create();
    private readonly FakeDeidentifier _deid = new();
    private readonly RecordingSink _sink = new();

    private MappingOutcome Map(string json) => new OmopMapper(Vocabulary, _deid).Map(Fhir.Parse(json), _sink, new MappingReport());

    private static object? Col(OmopTable table, object?[] row, string column) => row[table.IndexOf(column)];

    [Fact]
    public void A_late_evening_local_time_gets_the_utc_calendar_day_in_the_date_column()
    {
        // 22:30 at -05:00 is 03:30 UTC the next day: the date must be the datetime's (UTC) day.
        Map("""
            {"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-03-04T22:30:00-05:00",
             "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"valueQuantity":{"value":80,"code":"kg"}}
            """);

        var row = Assert.Single(_sink.Of(CdmTables.Measurement));
        var datetime = (DateTime)Col(CdmTables.Measurement, row, "measurement_datetime")!;
        Assert.Equal(DateOnly.FromDateTime(datetime), Col(CdmTables.Measurement, row, "measurement_date"));
        Assert.Equal(new DateOnly(2020, 3, 5).AddDays(_deid.DateOffsetDays("p1")), Col(CdmTables.Measurement, row, "measurement_date"));
    }

    [Theory]
    [InlineData("<", 4171756)]
    [InlineData("<=", 4171754)]
    [InlineData(">=", 4171755)]
    [InlineData(">", 4172704)]
    public void A_comparator_sets_the_operator_concept_and_keeps_the_value(string comparator, int operatorConcept)
    {
        Map($$$"""
            {"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-03-04",
             "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"valueQuantity":{"value":5,"comparator":"{{{comparator}}}","code":"kg"}}
            """);

        var row = Assert.Single(_sink.Of(CdmTables.Measurement));
        Assert.Equal(operatorConcept, Col(CdmTables.Measurement, row, "operator_concept_id"));
        Assert.Equal(5.0, Col(CdmTables.Measurement, row, "value_as_number"));
    }

    [Fact]
    public void A_plain_value_has_no_operator()
    {
        Map("""
            {"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-03-04",
             "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"valueQuantity":{"value":5,"code":"kg"}}
            """);

        Assert.Null(Col(CdmTables.Measurement, _sink.Of(CdmTables.Measurement)[0], "operator_concept_id"));
    }

    private static string Prescription(string dispense) => $$$"""
        {"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order","subject":{"reference":"Patient/p1"},"authoredOn":"2020-03-04",
         "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"314076"}]},
         "dispenseRequest":{{{dispense}}}}
        """;

    [Fact]
    public void A_prescription_ends_after_its_days_supply_not_at_the_end_of_its_validity_period()
    {
        Map(Prescription("""{"validityPeriod":{"start":"2020-03-04","end":"2021-03-04"},"expectedSupplyDuration":{"value":30,"unit":"days","system":"http://unitsofmeasure.org","code":"d"}}"""));

        var row = Assert.Single(_sink.Of(CdmTables.DrugExposure));
        var start = (DateOnly)Col(CdmTables.DrugExposure, row, "drug_exposure_start_date")!;
        Assert.Equal(start.AddDays(29), Col(CdmTables.DrugExposure, row, "drug_exposure_end_date"));
        Assert.Equal(30, Col(CdmTables.DrugExposure, row, "days_supply"));
        Assert.Null(Col(CdmTables.DrugExposure, row, "verbatim_end_date"));
    }

    [Fact]
    public void A_supply_reaching_past_the_export_ends_on_the_export_date_and_keeps_its_days_supply()
    {
        var start = new DateOnly(2020, 3, 4).AddDays(_deid.DateOffsetDays("p1"));
        var sink = new RecordingSink { LatestDate = start.AddDays(10) };
        new OmopMapper(Vocabulary, _deid).Map(Fhir.Parse(Prescription("""{"expectedSupplyDuration":{"value":30,"unit":"days","system":"http://unitsofmeasure.org","code":"d"}}""")), sink, new MappingReport());

        var row = Assert.Single(sink.Of(CdmTables.DrugExposure));
        Assert.Equal(start.AddDays(10), Col(CdmTables.DrugExposure, row, "drug_exposure_end_date"));
        Assert.Null(Col(CdmTables.DrugExposure, row, "drug_exposure_end_datetime"));
        Assert.Equal(30, Col(CdmTables.DrugExposure, row, "days_supply"));
        Assert.Equal((start, start.AddDays(10)), sink.Dates.Rows().Select(r => ((DateOnly)r[1]!, (DateOnly)r[2]!)).Single()); // observation_period too
    }

    [Fact]
    public void A_prescription_without_a_supply_is_a_one_day_exposure()
    {
        Map(Prescription("""{"validityPeriod":{"start":"2020-03-04","end":"2021-03-04"}}"""));

        var row = Assert.Single(_sink.Of(CdmTables.DrugExposure));
        Assert.Equal(Col(CdmTables.DrugExposure, row, "drug_exposure_start_date"), Col(CdmTables.DrugExposure, row, "drug_exposure_end_date"));
    }

    [Fact]
    public void Visit_source_value_carries_the_encounter_type()
    {
        Map("""
            {"resourceType":"Encounter","id":"e1","status":"finished","subject":{"reference":"Patient/p1"},"class":{"code":"AMB"},
             "type":[{"coding":[{"system":"http://snomed.info/sct","code":"185349003","display":"Encounter for check up"}]}],
             "period":{"start":"2020-03-04T10:00:00Z","end":"2020-03-04T11:00:00Z"}}
            """);

        var row = Assert.Single(_sink.Of(CdmTables.VisitOccurrence));
        Assert.Equal("185349003", Col(CdmTables.VisitOccurrence, row, "visit_source_value"));
        Assert.Equal(9202, Col(CdmTables.VisitOccurrence, row, "visit_concept_id"));
    }

    [Theory]
    [InlineData("problem-list-item", 32840)]
    [InlineData("encounter-diagnosis", 32827)]
    public void Condition_category_sets_the_condition_type_and_status_source_value(string category, int typeConcept)
    {
        Map($$$"""
            {"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"onsetDateTime":"2020-03-04",
             "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"{{{category}}}"}]}],
             "verificationStatus":{"coding":[{"code":"confirmed"}]},
             "code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]}}
            """);

        var row = Assert.Single(_sink.Of(CdmTables.ConditionOccurrence));
        Assert.Equal(typeConcept, Col(CdmTables.ConditionOccurrence, row, "condition_type_concept_id"));
        Assert.Equal(category, Col(CdmTables.ConditionOccurrence, row, "condition_status_source_value"));
        Assert.Equal(32893, Col(CdmTables.ConditionOccurrence, row, "condition_status_concept_id"));
    }
}
