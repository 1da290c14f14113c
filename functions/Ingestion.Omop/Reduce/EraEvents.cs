namespace Ingestion.Omop;

/// <summary>
/// Picks the inputs of condition_era and drug_era out of mapped rows (as <see cref="CdmTables.EraEvents"/> rows), so
/// each file stages them for the fan-in. Rows with concept 0 take no part in eras (OHDSI: eras are of standard
/// concepts). Event end per the OHDSI era scripts: condition_end_date, else start + 1 day; drug_exposure_end_date
/// (always filled by the mapper: supply, else the documented default).
/// </summary>
public static class EraEvents
{
    public const string Condition = "condition";
    public const string Drug = "drug";

    private static readonly int ConditionConcept = CdmTables.ConditionOccurrence.IndexOf("condition_concept_id");
    private static readonly int ConditionStart = CdmTables.ConditionOccurrence.IndexOf("condition_start_date");
    private static readonly int ConditionEnd = CdmTables.ConditionOccurrence.IndexOf("condition_end_date");
    private static readonly int DrugConcept = CdmTables.DrugExposure.IndexOf("drug_concept_id");
    private static readonly int DrugStart = CdmTables.DrugExposure.IndexOf("drug_exposure_start_date");
    private static readonly int DrugEnd = CdmTables.DrugExposure.IndexOf("drug_exposure_end_date");

    /// <summary>The era_events row of a mapped row, or null when the row is not an era input.</summary>
    public static object?[]? Of(OmopTable table, object?[] row)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        if (ReferenceEquals(table, CdmTables.ConditionOccurrence))
        {
            if (row[ConditionConcept] is not int concept || concept == 0 || row[ConditionStart] is not DateOnly start) return null;
            var end = row[ConditionEnd] as DateOnly? ?? start.AddDays(1);
            return [Condition, row[0], row[1], concept, start, end < start ? start : end];
        }
        if (ReferenceEquals(table, CdmTables.DrugExposure))
        {
            if (row[DrugConcept] is not int concept || concept == 0 || row[DrugStart] is not DateOnly start) return null;
            var end = row[DrugEnd] as DateOnly? ?? start;
            return [Drug, row[0], row[1], concept, start, end < start ? start : end];
        }
        return null;
    }
}
