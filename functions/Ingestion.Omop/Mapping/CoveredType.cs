namespace Ingestion.Omop;

/// <summary>
/// The FHIR resource types the mapping turns into rows, each named exactly as its <c>resourceType</c>. The mapper
/// recognizes the type once per resource (as UTF-8) and dispatches on this, instead of hashing the type's string
/// for each table it consults.
/// </summary>
internal enum CoveredType
{
    Patient,
    Encounter,
    Condition,
    Observation,
    MedicationRequest,
    MedicationStatement,
    MedicationAdministration,
    Immunization,
    Procedure,
    AllergyIntolerance,
    Device,
    DeviceUseStatement,
    Practitioner,
    Organization,
    Location,
    Specimen,
    DocumentReference,
    Claim,
    ExplanationOfBenefit,
}
