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

    /// <summary>Adds the era_events row of mapped row <paramref name="row"/> of <paramref name="rows"/> to
    /// <paramref name="events"/> (a <see cref="CdmTables.EraEvents"/> buffer); false when the row is not an era input.</summary>
    public static bool TryAdd(OmopRowBuffer rows, int row, OmopRowBuffer events)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(events);
        string kind;
        int concept;
        DateOnly start, end;
        if (ReferenceEquals(rows.Table, CdmTables.ConditionOccurrence))
        {
            if (rows.NullableInt32(row, ConditionConcept) is not { } c || c == 0 || rows.NullableDate(row, ConditionStart) is not { } s) return false;
            (kind, concept, start, end) = (Condition, c, s, rows.NullableDate(row, ConditionEnd) ?? s.AddDays(1));
        }
        else if (ReferenceEquals(rows.Table, CdmTables.DrugExposure))
        {
            if (rows.NullableInt32(row, DrugConcept) is not { } c || c == 0 || rows.NullableDate(row, DrugStart) is not { } s) return false;
            (kind, concept, start, end) = (Drug, c, s, rows.NullableDate(row, DrugEnd) ?? s);
        }
        else return false;
        events.Add().Put(kind).Put(rows.Int64(row, 0)).Put(rows.Int64(row, 1)).Put(concept).Put(start).Put(end < start ? start : end);
        return true;
    }
}
