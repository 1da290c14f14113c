namespace Ingestion.Omop;

/// <summary>Per table: the start/end date pairs, the main concept column with the domain it must hold, and the
/// numeric value column; plus the plausible ranges of common measurements (DQD's plausibleValueLow/High).</summary>
internal sealed record DataQualityRules((int Index, string Domain)? Concept, IReadOnlyList<(int Start, int End)> StartEnd, int? ValueIndex)
{
    private static readonly Dictionary<string, DataQualityRules> ByTable = new(StringComparer.Ordinal)
    {
        ["condition_occurrence"] = Of(CdmTables.ConditionOccurrence, "condition_concept_id", "Condition", ("condition_start_date", "condition_end_date")),
        ["drug_exposure"] = Of(CdmTables.DrugExposure, "drug_concept_id", "Drug", ("drug_exposure_start_date", "drug_exposure_end_date")),
        ["procedure_occurrence"] = Of(CdmTables.ProcedureOccurrence, "procedure_concept_id", "Procedure", ("procedure_date", "procedure_end_date")),
        ["device_exposure"] = Of(CdmTables.DeviceExposure, "device_concept_id", "Device", ("device_exposure_start_date", "device_exposure_end_date")),
        ["measurement"] = Of(CdmTables.Measurement, "measurement_concept_id", "Measurement") with { ValueIndex = CdmTables.Measurement.IndexOf("value_as_number") },
        ["observation"] = Of(CdmTables.Observation, "observation_concept_id", "Observation"),
        ["visit_occurrence"] = Of(CdmTables.VisitOccurrence, "visit_concept_id", "Visit", ("visit_start_date", "visit_end_date")),
        ["observation_period"] = Of(CdmTables.ObservationPeriod, null, null, ("observation_period_start_date", "observation_period_end_date")),
        ["person"] = Of(CdmTables.Person, "gender_concept_id", "Gender"),
    };

    private static readonly DataQualityRules None = new(null, [], null);

    public static DataQualityRules For(OmopTable table) => ByTable.GetValueOrDefault(table.Name) ?? None;

    /// <summary>Plausible value_as_number of a measurement concept in its usual unit, or null when not checked.</summary>
    public static (double Low, double High)? PlausibleRange(int measurementConceptId) => measurementConceptId switch
    {
        3004410 => (2, 20),      // HbA1c, %
        3025315 => (0.2, 500),   // body weight, kg
        3036277 => (20, 280),    // body height, cm
        3038553 => (5, 150),     // BMI, kg/m2
        3004249 => (20, 300),    // systolic blood pressure, mmHg
        3012888 => (10, 200),    // diastolic blood pressure, mmHg
        3027018 => (10, 350),    // heart rate, /min
        3020891 => (25, 45),     // body temperature, Cel
        _ => null,
    };

    private static DataQualityRules Of(OmopTable table, string? concept, string? domain, params (string Start, string End)[] pairs) => new(
        concept is null ? null : (table.IndexOf(concept), domain!),
        pairs.Select(p => (table.IndexOf(p.Start), table.IndexOf(p.End))).ToList(),
        null);
}
