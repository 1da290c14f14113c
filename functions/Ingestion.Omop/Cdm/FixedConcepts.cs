namespace Ingestion.Omop;

/// <summary>
/// Every concept id the mapper and the reduce write as a constant — type concepts, condition status, currency,
/// comparators, gender/race/ethnicity, visit classes, the CDM version — in one place, so the conformance test checks
/// each against the OMOP vocabulary and the CDM spec's fkDomain of its columns (FixedConceptsConformanceTests), and a
/// mapping test proves no other constant reaches those columns. Ids and names as in Athena (v5.0, 2022+ Type Concept
/// vocabulary).
/// </summary>
public static class FixedConcepts
{
    // Type Concept (provenance of a record).
    public const int Ehr = 32817, EhrAdministrationRecord = 32818, EhrEncounterRecord = 32827, EhrPrescription = 32838,
        EhrProblemList = 32840, PatientSelfReport = 32865, Claim = 32810;

    // Condition Status.
    public const int ConfirmedDiagnosis = 32893, PreliminaryDiagnosis = 32899;

    public const int UsDollar = 44818668;

    // Meas Value Operator (SNOMED qualifier values).
    public const int LessThan = 4171756, LessOrEqual = 4171754, Equal = 4172703, GreaterOrEqual = 4171755, GreaterThan = 4172704;

    public const int Male = 8507, Female = 8532;
    public const int White = 8527, BlackOrAfricanAmerican = 8516, Asian = 8515, AmericanIndianOrAlaskaNative = 8657,
        NativeHawaiianOrOtherPacificIslander = 8557;
    public const int HispanicOrLatino = 38003563, NotHispanicOrLatino = 38003564;

    public const int InpatientVisit = 9201, OutpatientVisit = 9202, EmergencyRoomVisit = 9203, HomeVisit = 581476, Telehealth = 5083;

    public const int CdmVersion54 = 756265;

    private const string Type = "Type Concept";
    private static readonly string[] EhrColumns =
    [
        "visit_occurrence.visit_type_concept_id", "visit_detail.visit_detail_type_concept_id", "condition_occurrence.condition_type_concept_id",
        "procedure_occurrence.procedure_type_concept_id", "device_exposure.device_type_concept_id", "measurement.measurement_type_concept_id",
        "observation.observation_type_concept_id", "death.death_type_concept_id", "note.note_type_concept_id",
        "specimen.specimen_type_concept_id", "observation_period.period_type_concept_id",
    ];
    private static readonly string[] DrugType = ["drug_exposure.drug_type_concept_id"];
    private static readonly string[] ConditionType = ["condition_occurrence.condition_type_concept_id"];
    private static readonly string[] ConditionStatus = ["condition_occurrence.condition_status_concept_id"];
    private static readonly string[] Gender = ["person.gender_concept_id", "provider.gender_concept_id"];
    private static readonly string[] Race = ["person.race_concept_id"];
    private static readonly string[] Ethnicity = ["person.ethnicity_concept_id"];
    private static readonly string[] Visit = ["visit_occurrence.visit_concept_id", "visit_detail.visit_detail_concept_id"];

    public static IReadOnlyList<FixedConcept> All { get; } =
    [
        new(Ehr, "EHR", Type, Type, null, EhrColumns),
        new(EhrAdministrationRecord, "EHR administration record", Type, Type, null, DrugType),
        new(EhrEncounterRecord, "EHR encounter record", Type, Type, null, ConditionType),
        new(EhrPrescription, "EHR prescription", Type, Type, null, DrugType),
        new(EhrProblemList, "EHR problem list", Type, Type, null, ConditionType),
        new(PatientSelfReport, "Patient self-report", Type, Type, null, DrugType),
        new(Claim, "Claim", Type, Type, null, ["cost.cost_type_concept_id"]),
        new(ConfirmedDiagnosis, "Confirmed diagnosis", "Condition Status", "Condition Status", null, ConditionStatus),
        new(PreliminaryDiagnosis, "Preliminary diagnosis", "Condition Status", "Condition Status", null, ConditionStatus),
        new(UsDollar, "United States dollar", "Currency", "Currency", "USD", ["cost.currency_concept_id"]),
        new(LessThan, "<", "Meas Value Operator", "SNOMED", null, ["measurement.operator_concept_id"]),
        new(LessOrEqual, "<=", "Meas Value Operator", "SNOMED", null, ["measurement.operator_concept_id"]),
        new(Equal, "=", "Meas Value Operator", "SNOMED", null, ["measurement.operator_concept_id"]),
        new(GreaterOrEqual, ">=", "Meas Value Operator", "SNOMED", null, ["measurement.operator_concept_id"]),
        new(GreaterThan, ">", "Meas Value Operator", "SNOMED", null, ["measurement.operator_concept_id"]),
        new(Male, "MALE", "Gender", "Gender", "M", Gender),
        new(Female, "FEMALE", "Gender", "Gender", "F", Gender),
        new(White, "White", "Race", "Race", "5", Race),
        new(BlackOrAfricanAmerican, "Black or African American", "Race", "Race", "3", Race),
        new(Asian, "Asian", "Race", "Race", "2", Race),
        new(AmericanIndianOrAlaskaNative, "American Indian or Alaska Native", "Race", "Race", "1", Race),
        new(NativeHawaiianOrOtherPacificIslander, "Native Hawaiian or Other Pacific Islander", "Race", "Race", "4", Race),
        new(HispanicOrLatino, "Hispanic or Latino", "Ethnicity", "Ethnicity", "Hispanic", Ethnicity),
        new(NotHispanicOrLatino, "Not Hispanic or Latino", "Ethnicity", "Ethnicity", "Not Hispanic", Ethnicity),
        new(InpatientVisit, "Inpatient Visit", "Visit", "Visit", "IP", Visit),
        new(OutpatientVisit, "Outpatient Visit", "Visit", "Visit", "OP", Visit),
        new(EmergencyRoomVisit, "Emergency Room Visit", "Visit", "Visit", "ER", Visit),
        new(HomeVisit, "Home Visit", "Visit", "Visit", "OH", Visit),
        new(Telehealth, "Telehealth", "Visit", "CMS Place of Service", "02", Visit),
        new(CdmVersion54, "OMOP CDM Version 5.4.0", "Metadata", "CDM", null, ["cdm_source.cdm_version_concept_id"]),
    ];
}
