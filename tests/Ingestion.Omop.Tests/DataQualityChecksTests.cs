namespace Ingestion.Omop.Tests;

/// <summary>The DQD-style checks fail on crafted bad rows and stay quiet on good ones.</summary>
public class DataQualityChecksTests
{
    private static readonly DateOnly Export = new(2026, 12, 6);
    private readonly DataQualityChecks _checks = new(TestVocabulary.Create(), Export);

    private void Observe(OmopTable table, object?[] row) => _checks.Observe(TypedRow.Of(table, row), 0);

    private static object?[] Measurement(int concept, double? value, DateOnly date)
    {
        var row = new object?[CdmTables.Measurement.Columns.Count];
        row[0] = 1L; row[1] = 2L; row[2] = concept; row[3] = date; row[6] = 32817;
        row[CdmTables.Measurement.IndexOf("value_as_number")] = value;
        return row;
    }

    private static object?[] Condition(int concept, DateOnly start, DateOnly? end)
    {
        var row = new object?[CdmTables.ConditionOccurrence.Columns.Count];
        row[0] = 1L; row[1] = 2L; row[2] = concept; row[3] = start; row[5] = end; row[7] = 32817;
        return row;
    }

    private IReadOnlyList<DataQualityFinding> Findings => _checks.ToResult().Findings;

    [Fact]
    public void Good_rows_give_no_findings_and_are_counted()
    {
        Observe(CdmTables.Measurement, Measurement(TestVocabulary.BodyWeight, 80, new DateOnly(2020, 1, 1)));
        Observe(CdmTables.ConditionOccurrence, Condition(TestVocabulary.Type2Diabetes, new DateOnly(2020, 1, 1), new DateOnly(2020, 2, 1)));

        Assert.Empty(Findings);
        Assert.Equal(1, _checks.ToResult().RowsByTable["measurement"]);
    }

    [Fact]
    public void A_date_after_the_export_or_before_1900_is_implausible()
    {
        Observe(CdmTables.Measurement, Measurement(TestVocabulary.BodyWeight, 80, Export.AddDays(1)));
        Observe(CdmTables.Measurement, Measurement(TestVocabulary.BodyWeight, 80, new DateOnly(1899, 12, 31)));

        Assert.Equal(new DataQualityFinding(DataQualityChecks.PlausibleDateRange, "measurement", "measurement_date", 2), Assert.Single(Findings));
    }

    [Fact]
    public void An_end_before_its_start_is_flagged()
    {
        Observe(CdmTables.ConditionOccurrence, Condition(TestVocabulary.Type2Diabetes, new DateOnly(2020, 2, 1), new DateOnly(2020, 1, 1)));

        Assert.Equal(new DataQualityFinding(DataQualityChecks.PlausibleStartBeforeEnd, "condition_occurrence", "condition_end_date", 1), Assert.Single(Findings));
    }

    [Fact]
    public void An_implausible_body_weight_is_flagged()
    {
        Observe(CdmTables.Measurement, Measurement(TestVocabulary.BodyWeight, 8000, new DateOnly(2020, 1, 1)));

        Assert.Equal(new DataQualityFinding(DataQualityChecks.PlausibleValueRange, "measurement", "value_as_number", 1), Assert.Single(Findings));
    }

    [Fact]
    public void A_concept_of_another_domain_in_a_table_is_flagged()
    {
        // A Measurement-domain concept in condition_occurrence.
        Observe(CdmTables.ConditionOccurrence, Condition(TestVocabulary.BodyWeight, new DateOnly(2020, 1, 1), null));

        Assert.Equal(new DataQualityFinding(DataQualityChecks.ConceptDomain, "condition_occurrence", "condition_concept_id", 1), Assert.Single(Findings));
    }

    [Fact]
    public void A_drug_exposure_whose_drug_has_no_ingredient_is_counted_for_drug_era()
    {
        object?[] Drug(int concept)
        {
            var d = CdmTables.DrugExposure;
            var row = new object?[d.Columns.Count];
            row[0] = 1L; row[1] = 2L; row[d.IndexOf("drug_concept_id")] = concept; row[d.IndexOf("drug_type_concept_id")] = 32838;
            row[d.IndexOf("drug_exposure_start_date")] = row[d.IndexOf("drug_exposure_end_date")] = new DateOnly(2020, 1, 1);
            return row;
        }
        Observe(CdmTables.DrugExposure, Drug(TestVocabulary.SulfaTrimTablet));
        Observe(CdmTables.DrugExposure, Drug(TestVocabulary.InfluenzaVaccine));
        Observe(CdmTables.DrugExposure, Drug(0)); // unmapped: no era at all, counted as concept_id 0 elsewhere

        Assert.Equal(new DataQualityFinding(DataQualityChecks.DrugWithoutIngredient, "drug_exposure", "drug_concept_id", 1), Assert.Single(Findings));
    }

    [Fact]
    public void A_missing_required_field_is_flagged()
    {
        var row = Condition(TestVocabulary.Type2Diabetes, new DateOnly(2020, 1, 1), null);
        row[CdmTables.ConditionOccurrence.IndexOf("condition_type_concept_id")] = null;
        Observe(CdmTables.ConditionOccurrence, row);

        Assert.Equal(new DataQualityFinding(DataQualityChecks.IsRequired, "condition_occurrence", "condition_type_concept_id", 1), Assert.Single(Findings));
    }

    [Fact]
    public void Rows_of_tables_in_turn_with_repeated_concepts_count_every_violation()
    {
        // Each table's counts and each concept's finding are remembered per file: repeats and switches between tables
        // must count exactly as single rows do.
        for (var i = 0; i < 3; i++)
        {
            Observe(CdmTables.ConditionOccurrence, Condition(TestVocabulary.BodyWeight, new DateOnly(2020, 2, 1), new DateOnly(2020, 1, 1)));
            Observe(CdmTables.Measurement, Measurement(TestVocabulary.BodyWeight, 8000, Export.AddDays(1)));
            Observe(CdmTables.ConditionOccurrence, Condition(TestVocabulary.Type2Diabetes, new DateOnly(2020, 1, 1), null));
            Observe(CdmTables.Measurement, Measurement(TestVocabulary.BodyWeight, 80, new DateOnly(2020, 1, 1)));
        }

        var result = _checks.ToResult();
        Assert.Equal(6, result.RowsByTable["condition_occurrence"]);
        Assert.Equal(6, result.RowsByTable["measurement"]);
        Assert.Equal(
        [
            new DataQualityFinding(DataQualityChecks.ConceptDomain, "condition_occurrence", "condition_concept_id", 3),
            new DataQualityFinding(DataQualityChecks.PlausibleDateRange, "measurement", "measurement_date", 3),
            new DataQualityFinding(DataQualityChecks.PlausibleStartBeforeEnd, "condition_occurrence", "condition_end_date", 3),
            new DataQualityFinding(DataQualityChecks.PlausibleValueRange, "measurement", "value_as_number", 3),
        ], result.Findings);
    }

    [Fact]
    public void File_results_merge_into_run_counts()
    {
        Observe(CdmTables.Measurement, Measurement(TestVocabulary.BodyWeight, 8000, new DateOnly(2020, 1, 1)));
        var merged = DataQualityResult.Merge([_checks.ToResult(), _checks.ToResult()]);

        Assert.Equal(2, merged.RowsByTable["measurement"]);
        Assert.Equal(2, Assert.Single(merged.Findings).Violations);
    }
}
