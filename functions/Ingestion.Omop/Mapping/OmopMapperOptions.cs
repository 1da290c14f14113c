namespace Ingestion.Omop;

/// <summary>Settings of <see cref="OmopMapper"/>. Defaults follow the OHDSI Type Concept conventions for EHR data.</summary>
public sealed class OmopMapperOptions
{
    /// <summary>Type concept of records from EHR resources (32817 "EHR").</summary>
    public int EhrTypeConceptId { get; init; } = FixedConcepts.Ehr;

    /// <summary>Type concept of MedicationRequest rows (32838 "EHR prescription").</summary>
    public int PrescriptionTypeConceptId { get; init; } = FixedConcepts.EhrPrescription;

    /// <summary>Type concept of Immunization and MedicationAdministration rows (32818 "EHR administration record").</summary>
    public int AdministrationTypeConceptId { get; init; } = FixedConcepts.EhrAdministrationRecord;

    /// <summary>Type concept of MedicationStatement rows (32865 "Patient self-report").</summary>
    public int SelfReportTypeConceptId { get; init; } = FixedConcepts.PatientSelfReport;

    /// <summary>Type concept of Conditions of category problem-list-item (32840 "EHR problem list").</summary>
    public int ProblemListTypeConceptId { get; init; } = FixedConcepts.EhrProblemList;

    /// <summary>Type concept of Conditions of category encounter-diagnosis (32827 "EHR encounter record").</summary>
    public int EncounterDiagnosisTypeConceptId { get; init; } = FixedConcepts.EhrEncounterRecord;

    /// <summary>Exclude Conditions whose verificationStatus is provisional or differential. Off by default: they are
    /// mapped with condition_status_concept_id 32899 "Preliminary diagnosis".</summary>
    public bool ExcludeProvisionalConditions { get; init; }

    /// <summary>Exclude Observations with status preliminary. Off by default: a preliminary result is a measured
    /// value (a later amended version replaces it by the one-row-per-resource rule).</summary>
    public bool ExcludePreliminaryResults { get; init; }
}
