namespace Ingestion.Omop;

/// <summary>
/// The CDM 5.4 columns that hold a row key or a reference to one. The official OHDSI DDL declares them
/// <c>integer</c>; our keys are 63-bit pseudonyms, so they are BIGINT in our Parquet and in docs/omop-ddl (the
/// only change to the official DDL). Counts, concept ids and other integers stay 32-bit.
/// </summary>
public static class CdmKeyColumns
{
    public static IReadOnlySet<string> Names { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "person_id", "observation_period_id", "visit_occurrence_id", "visit_detail_id", "preceding_visit_occurrence_id",
        "preceding_visit_detail_id", "parent_visit_detail_id", "condition_occurrence_id", "drug_exposure_id",
        "procedure_occurrence_id", "device_exposure_id", "measurement_id", "observation_id", "note_id", "note_nlp_id",
        "specimen_id", "provider_id", "care_site_id", "location_id", "payer_plan_period_id", "cost_id", "episode_id",
        "episode_parent_id", "condition_era_id", "drug_era_id", "dose_era_id", "subject_id", "fact_id_1", "fact_id_2",
        "event_id", "cost_event_id", "measurement_event_id", "observation_event_id", "note_event_id",
    };
}
