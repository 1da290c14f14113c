namespace Ingestion.Omop;

/// <summary>
/// The OMOP CDM 5.4 tables this mapping emits, column for column in the order, type and requiredness of the OHDSI
/// field-level spec (OMOP_CDMv5.4_Field_Level.csv). One deliberate widening: every row key and key reference
/// (person_id, *_occurrence_id, provider_id, care_site_id, location_id, ...) is BigInt because keys are 63-bit
/// pseudonyms; concept ids and counts stay 32-bit integers. Plus two documented non-CDM outputs.
/// </summary>
public static class CdmTables
{
    public static readonly OmopTable Person = new("person",
    [
        Key("person_id", true),
        Int("gender_concept_id", true),
        Int("year_of_birth", true),
        Int("month_of_birth", false),
        Int("day_of_birth", false),
        Time("birth_datetime", false),
        Int("race_concept_id", true),
        Int("ethnicity_concept_id", true),
        Key("location_id", false),
        Key("provider_id", false),
        Key("care_site_id", false),
        Text("person_source_value", false, 50),
        Text("gender_source_value", false, 50),
        Int("gender_source_concept_id", false),
        Text("race_source_value", false, 50),
        Int("race_source_concept_id", false),
        Text("ethnicity_source_value", false, 50),
        Int("ethnicity_source_concept_id", false),
    ]);

    public static readonly OmopTable ObservationPeriod = new("observation_period",
    [
        Key("observation_period_id", true),
        Key("person_id", true),
        Date("observation_period_start_date", true),
        Date("observation_period_end_date", true),
        Int("period_type_concept_id", true),
    ]);

    public static readonly OmopTable VisitOccurrence = new("visit_occurrence",
    [
        Key("visit_occurrence_id", true),
        Key("person_id", true),
        Int("visit_concept_id", true),
        Date("visit_start_date", true),
        Time("visit_start_datetime", false),
        Date("visit_end_date", true),
        Time("visit_end_datetime", false),
        Int("visit_type_concept_id", true),
        Key("provider_id", false),
        Key("care_site_id", false),
        Text("visit_source_value", false, 50),
        Int("visit_source_concept_id", false),
        Int("admitted_from_concept_id", false),
        Text("admitted_from_source_value", false, 50),
        Int("discharged_to_concept_id", false),
        Text("discharged_to_source_value", false, 50),
        Key("preceding_visit_occurrence_id", false),
    ]);

    public static readonly OmopTable ConditionOccurrence = new("condition_occurrence",
    [
        Key("condition_occurrence_id", true),
        Key("person_id", true),
        Int("condition_concept_id", true),
        Date("condition_start_date", true),
        Time("condition_start_datetime", false),
        Date("condition_end_date", false),
        Time("condition_end_datetime", false),
        Int("condition_type_concept_id", true),
        Int("condition_status_concept_id", false),
        Text("stop_reason", false, 20),
        Key("provider_id", false),
        Key("visit_occurrence_id", false),
        Key("visit_detail_id", false),
        Text("condition_source_value", false, 50),
        Int("condition_source_concept_id", false),
        Text("condition_status_source_value", false, 50),
    ]);

    public static readonly OmopTable DrugExposure = new("drug_exposure",
    [
        Key("drug_exposure_id", true),
        Key("person_id", true),
        Int("drug_concept_id", true),
        Date("drug_exposure_start_date", true),
        Time("drug_exposure_start_datetime", false),
        Date("drug_exposure_end_date", true),
        Time("drug_exposure_end_datetime", false),
        Date("verbatim_end_date", false),
        Int("drug_type_concept_id", true),
        Text("stop_reason", false, 20),
        Int("refills", false),
        Float("quantity", false),
        Int("days_supply", false),
        Text("sig", false, null),
        Int("route_concept_id", false),
        Text("lot_number", false, 50),
        Key("provider_id", false),
        Key("visit_occurrence_id", false),
        Key("visit_detail_id", false),
        Text("drug_source_value", false, 50),
        Int("drug_source_concept_id", false),
        Text("route_source_value", false, 50),
        Text("dose_unit_source_value", false, 50),
    ]);

    public static readonly OmopTable ProcedureOccurrence = new("procedure_occurrence",
    [
        Key("procedure_occurrence_id", true),
        Key("person_id", true),
        Int("procedure_concept_id", true),
        Date("procedure_date", true),
        Time("procedure_datetime", false),
        Date("procedure_end_date", false),
        Time("procedure_end_datetime", false),
        Int("procedure_type_concept_id", true),
        Int("modifier_concept_id", false),
        Int("quantity", false),
        Key("provider_id", false),
        Key("visit_occurrence_id", false),
        Key("visit_detail_id", false),
        Text("procedure_source_value", false, 50),
        Int("procedure_source_concept_id", false),
        Text("modifier_source_value", false, 50),
    ]);

    public static readonly OmopTable DeviceExposure = new("device_exposure",
    [
        Key("device_exposure_id", true),
        Key("person_id", true),
        Int("device_concept_id", true),
        Date("device_exposure_start_date", true),
        Time("device_exposure_start_datetime", false),
        Date("device_exposure_end_date", false),
        Time("device_exposure_end_datetime", false),
        Int("device_type_concept_id", true),
        Text("unique_device_id", false, 255),
        Text("production_id", false, 255),
        Int("quantity", false),
        Key("provider_id", false),
        Key("visit_occurrence_id", false),
        Key("visit_detail_id", false),
        Text("device_source_value", false, 50),
        Int("device_source_concept_id", false),
        Int("unit_concept_id", false),
        Text("unit_source_value", false, 50),
        Int("unit_source_concept_id", false),
    ]);

    public static readonly OmopTable Measurement = new("measurement",
    [
        Key("measurement_id", true),
        Key("person_id", true),
        Int("measurement_concept_id", true),
        Date("measurement_date", true),
        Time("measurement_datetime", false),
        Text("measurement_time", false, 10),
        Int("measurement_type_concept_id", true),
        Int("operator_concept_id", false),
        Float("value_as_number", false),
        Int("value_as_concept_id", false),
        Int("unit_concept_id", false),
        Float("range_low", false),
        Float("range_high", false),
        Key("provider_id", false),
        Key("visit_occurrence_id", false),
        Key("visit_detail_id", false),
        Text("measurement_source_value", false, 50),
        Int("measurement_source_concept_id", false),
        Text("unit_source_value", false, 50),
        Int("unit_source_concept_id", false),
        Text("value_source_value", false, 50),
        Key("measurement_event_id", false),
        Int("meas_event_field_concept_id", false),
    ]);

    public static readonly OmopTable Observation = new("observation",
    [
        Key("observation_id", true),
        Key("person_id", true),
        Int("observation_concept_id", true),
        Date("observation_date", true),
        Time("observation_datetime", false),
        Int("observation_type_concept_id", true),
        Float("value_as_number", false),
        Text("value_as_string", false, 60),
        Int("value_as_concept_id", false),
        Int("qualifier_concept_id", false),
        Int("unit_concept_id", false),
        Key("provider_id", false),
        Key("visit_occurrence_id", false),
        Key("visit_detail_id", false),
        Text("observation_source_value", false, 50),
        Int("observation_source_concept_id", false),
        Text("unit_source_value", false, 50),
        Text("qualifier_source_value", false, 50),
        Text("value_source_value", false, 50),
        Key("observation_event_id", false),
        Int("obs_event_field_concept_id", false),
    ]);

    public static readonly OmopTable Death = new("death",
    [
        Key("person_id", true),
        Date("death_date", true),
        Time("death_datetime", false),
        Int("death_type_concept_id", false),
        Int("cause_concept_id", false),
        Text("cause_source_value", false, 50),
        Int("cause_source_concept_id", false),
    ]);

    public static readonly OmopTable VisitDetail = new("visit_detail",
    [
        Key("visit_detail_id", true),
        Key("person_id", true),
        Int("visit_detail_concept_id", true),
        Date("visit_detail_start_date", true),
        Time("visit_detail_start_datetime", false),
        Date("visit_detail_end_date", true),
        Time("visit_detail_end_datetime", false),
        Int("visit_detail_type_concept_id", true),
        Key("provider_id", false),
        Key("care_site_id", false),
        Text("visit_detail_source_value", false, 50),
        Int("visit_detail_source_concept_id", false),
        Int("admitted_from_concept_id", false),
        Text("admitted_from_source_value", false, 50),
        Text("discharged_to_source_value", false, 50),
        Int("discharged_to_concept_id", false),
        Key("preceding_visit_detail_id", false),
        Key("parent_visit_detail_id", false),
        Key("visit_occurrence_id", true),
    ]);

    public static readonly OmopTable Note = new("note",
    [
        Key("note_id", true),
        Key("person_id", true),
        Date("note_date", true),
        Time("note_datetime", false),
        Int("note_type_concept_id", true),
        Int("note_class_concept_id", true),
        Text("note_title", false, 250),
        Text("note_text", true, null),
        Int("encoding_concept_id", true),
        Int("language_concept_id", true),
        Key("provider_id", false),
        Key("visit_occurrence_id", false),
        Key("visit_detail_id", false),
        Text("note_source_value", false, 50),
        Key("note_event_id", false),
        Int("note_event_field_concept_id", false),
    ]);

    public static readonly OmopTable Specimen = new("specimen",
    [
        Key("specimen_id", true),
        Key("person_id", true),
        Int("specimen_concept_id", true),
        Int("specimen_type_concept_id", true),
        Date("specimen_date", true),
        Time("specimen_datetime", false),
        Float("quantity", false),
        Int("unit_concept_id", false),
        Int("anatomic_site_concept_id", false),
        Int("disease_status_concept_id", false),
        Text("specimen_source_id", false, 50),
        Text("specimen_source_value", false, 50),
        Text("unit_source_value", false, 50),
        Text("anatomic_site_source_value", false, 50),
        Text("disease_status_source_value", false, 50),
    ]);

    public static readonly OmopTable PayerPlanPeriod = new("payer_plan_period",
    [
        Key("payer_plan_period_id", true),
        Key("person_id", true),
        Date("payer_plan_period_start_date", true),
        Date("payer_plan_period_end_date", true),
        Int("payer_concept_id", false),
        Text("payer_source_value", false, 50),
        Int("payer_source_concept_id", false),
        Int("plan_concept_id", false),
        Text("plan_source_value", false, 50),
        Int("plan_source_concept_id", false),
        Int("sponsor_concept_id", false),
        Text("sponsor_source_value", false, 50),
        Int("sponsor_source_concept_id", false),
        Text("family_source_value", false, 50),
        Int("stop_reason_concept_id", false),
        Text("stop_reason_source_value", false, 50),
        Int("stop_reason_source_concept_id", false),
    ]);

    public static readonly OmopTable Cost = new("cost",
    [
        Key("cost_id", true),
        Key("cost_event_id", true),
        Text("cost_domain_id", true, 20),
        Int("cost_type_concept_id", true),
        Int("currency_concept_id", false),
        Float("total_charge", false),
        Float("total_cost", false),
        Float("total_paid", false),
        Float("paid_by_payer", false),
        Float("paid_by_patient", false),
        Float("paid_patient_copay", false),
        Float("paid_patient_coinsurance", false),
        Float("paid_patient_deductible", false),
        Float("paid_by_primary", false),
        Float("paid_ingredient_cost", false),
        Float("paid_dispensing_fee", false),
        Key("payer_plan_period_id", false),
        Float("amount_allowed", false),
        Int("revenue_code_concept_id", false),
        Text("revenue_code_source_value", false, 50),
        Int("drg_concept_id", false),
        Text("drg_source_value", false, 3),
    ]);

    public static readonly OmopTable ConditionEra = new("condition_era",
    [
        Key("condition_era_id", true),
        Key("person_id", true),
        Int("condition_concept_id", true),
        Date("condition_era_start_date", true),
        Date("condition_era_end_date", true),
        Int("condition_occurrence_count", false),
    ]);

    public static readonly OmopTable DrugEra = new("drug_era",
    [
        Key("drug_era_id", true),
        Key("person_id", true),
        Int("drug_concept_id", true),
        Date("drug_era_start_date", true),
        Date("drug_era_end_date", true),
        Int("drug_exposure_count", false),
        Int("gap_days", false),
    ]);

    public static readonly OmopTable Location = new("location",
    [
        Key("location_id", true),
        Text("address_1", false, 50),
        Text("address_2", false, 50),
        Text("city", false, 50),
        Text("state", false, 2),
        Text("zip", false, 9),
        Text("county", false, 20),
        Text("location_source_value", false, 50),
        Int("country_concept_id", false),
        Text("country_source_value", false, 80),
        Float("latitude", false),
        Float("longitude", false),
    ]);

    public static readonly OmopTable Provider = new("provider",
    [
        Key("provider_id", true),
        Text("provider_name", false, 255),
        Text("npi", false, 20),
        Text("dea", false, 20),
        Int("specialty_concept_id", false),
        Key("care_site_id", false),
        Int("year_of_birth", false),
        Int("gender_concept_id", false),
        Text("provider_source_value", false, 50),
        Text("specialty_source_value", false, 50),
        Int("specialty_source_concept_id", false),
        Text("gender_source_value", false, 50),
        Int("gender_source_concept_id", false),
    ]);

    public static readonly OmopTable CareSite = new("care_site",
    [
        Key("care_site_id", true),
        Text("care_site_name", false, 255),
        Int("place_of_service_concept_id", false),
        Key("location_id", false),
        Text("care_site_source_value", false, 50),
        Text("place_of_service_source_value", false, 50),
    ]);

    public static readonly OmopTable CdmSource = new("cdm_source",
    [
        Text("cdm_source_name", true, 255),
        Text("cdm_source_abbreviation", true, 25),
        Text("cdm_holder", true, 255),
        Text("source_description", false, null),
        Text("source_documentation_reference", false, 255),
        Text("cdm_etl_reference", false, 255),
        Date("source_release_date", true),
        Date("cdm_release_date", true),
        Text("cdm_version", false, 10),
        Int("cdm_version_concept_id", true),
        Text("vocabulary_version", true, 20),
    ]);

    /// <summary>Non-CDM: one row per (deleted FHIR resource, table its rows may live in), from the manifest's deleted[] files.
    /// row_id is the key the resource's (first) row carries; person rows are deleted by person_id.</summary>
    public static readonly OmopTable Deletions = new("deletions",
    [
        Text("resource_type", true, 64),
        Text("omop_table", true, 64),
        Key("row_id", true),
        Time("deleted_datetime", false),
    ], IsCdm: false);

    /// <summary>Non-CDM: per-file, per-person earliest and latest event date; merged into observation_period at fan-in.</summary>
    public static readonly OmopTable PersonDateBounds = new("person_date_bounds",
    [
        Key("person_id", true),
        Date("min_date", true),
        Date("max_date", true),
    ], IsCdm: false);

    /// <summary>Non-CDM, staged only (never published): one row per condition_occurrence / drug_exposure row with a
    /// standard concept, the input of condition_era and drug_era at fan-in. era_kind is "condition" or "drug";
    /// event_id is the row's key, so a resource seen twice (two files, a later run) counts once.</summary>
    public static readonly OmopTable EraEvents = new("era_events",
    [
        Text("era_kind", true, 16),
        Key("event_id", true),
        Key("person_id", true),
        Int("concept_id", true),
        Date("start_date", true),
        Date("end_date", true),
    ], IsCdm: false);

    public static readonly IReadOnlyList<OmopTable> All =
    [
        Person, ObservationPeriod, VisitOccurrence, ConditionOccurrence, DrugExposure, ProcedureOccurrence, DeviceExposure,
        Measurement, Observation, Death, VisitDetail, Note, Specimen, PayerPlanPeriod, Cost, ConditionEra, DrugEra,
        Location, Provider, CareSite, CdmSource, Deletions, PersonDateBounds, EraEvents,
    ];

    private static OmopColumn Key(string name, bool required) => new(name, OmopColumnType.BigInt, required);
    private static OmopColumn Int(string name, bool required) => new(name, OmopColumnType.Integer, required);
    private static OmopColumn Float(string name, bool required) => new(name, OmopColumnType.Float, required);
    private static OmopColumn Date(string name, bool required) => new(name, OmopColumnType.Date, required);
    private static OmopColumn Time(string name, bool required) => new(name, OmopColumnType.DateTime, required);
    private static OmopColumn Text(string name, bool required, int? maxLength) => new(name, OmopColumnType.Varchar, required, maxLength);
}
