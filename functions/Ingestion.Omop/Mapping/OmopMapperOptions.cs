namespace Ingestion.Omop;

/// <summary>Settings of <see cref="OmopMapper"/>. Defaults follow the OHDSI Type Concept conventions for EHR data.</summary>
public sealed class OmopMapperOptions
{
    /// <summary>Type concept of records from EHR resources (32817 "EHR").</summary>
    public int EhrTypeConceptId { get; init; } = 32817;

    /// <summary>Type concept of MedicationRequest rows (32838 "EHR prescription").</summary>
    public int PrescriptionTypeConceptId { get; init; } = 32838;

    /// <summary>Type concept of Immunization and MedicationAdministration rows (32818 "EHR administration record").</summary>
    public int AdministrationTypeConceptId { get; init; } = 32818;

    /// <summary>Type concept of MedicationStatement rows (32865 "Patient self-report").</summary>
    public int SelfReportTypeConceptId { get; init; } = 32865;
}
