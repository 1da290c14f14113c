using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>The FHIR R4 (4.0.1) resource type names: anything else in <c>resourceType</c> is unknown.</summary>
public static class FhirResourceTypes
{
    private static readonly string[] Names =
    [
        "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance", "Appointment", "AppointmentResponse", "AuditEvent",
        "Basic", "Binary", "BiologicallyDerivedProduct", "BodyStructure", "Bundle", "CapabilityStatement", "CarePlan", "CareTeam",
        "CatalogEntry", "ChargeItem", "ChargeItemDefinition", "Claim", "ClaimResponse", "ClinicalImpression", "CodeSystem",
        "Communication", "CommunicationRequest", "CompartmentDefinition", "Composition", "ConceptMap", "Condition", "Consent",
        "Contract", "Coverage", "CoverageEligibilityRequest", "CoverageEligibilityResponse", "DetectedIssue", "Device",
        "DeviceDefinition", "DeviceMetric", "DeviceRequest", "DeviceUseStatement", "DiagnosticReport", "DocumentManifest",
        "DocumentReference", "EffectEvidenceSynthesis", "Encounter", "Endpoint", "EnrollmentRequest", "EnrollmentResponse",
        "EpisodeOfCare", "EventDefinition", "Evidence", "EvidenceVariable", "ExampleScenario", "ExplanationOfBenefit",
        "FamilyMemberHistory", "Flag", "Goal", "GraphDefinition", "Group", "GuidanceResponse", "HealthcareService", "ImagingStudy",
        "Immunization", "ImmunizationEvaluation", "ImmunizationRecommendation", "ImplementationGuide", "InsurancePlan", "Invoice",
        "Library", "Linkage", "List", "Location", "Measure", "MeasureReport", "Media", "Medication", "MedicationAdministration",
        "MedicationDispense", "MedicationKnowledge", "MedicationRequest", "MedicationStatement", "MedicinalProduct",
        "MedicinalProductAuthorization", "MedicinalProductContraindication", "MedicinalProductIndication",
        "MedicinalProductIngredient", "MedicinalProductInteraction", "MedicinalProductManufactured", "MedicinalProductPackaged",
        "MedicinalProductPharmaceutical", "MedicinalProductUndesirableEffect", "MessageDefinition", "MessageHeader",
        "MolecularSequence", "NamingSystem", "NutritionOrder", "Observation", "ObservationDefinition", "OperationDefinition",
        "OperationOutcome", "Organization", "OrganizationAffiliation", "Parameters", "Patient", "PaymentNotice",
        "PaymentReconciliation", "Person", "PlanDefinition", "Practitioner", "PractitionerRole", "Procedure", "Provenance",
        "Questionnaire", "QuestionnaireResponse", "RelatedPerson", "RequestGroup", "ResearchDefinition",
        "ResearchElementDefinition", "ResearchStudy", "ResearchSubject", "RiskAssessment", "RiskEvidenceSynthesis", "Schedule",
        "SearchParameter", "ServiceRequest", "Slot", "Specimen", "SpecimenDefinition", "StructureDefinition", "StructureMap",
        "Subscription", "Substance", "SubstanceNucleicAcid", "SubstancePolymer", "SubstanceProtein",
        "SubstanceReferenceInformation", "SubstanceSourceMaterial", "SubstanceSpecification", "SupplyDelivery", "SupplyRequest",
        "Task", "TerminologyCapabilities", "TestReport", "TestScript", "ValueSet", "VerificationResult", "VisionPrescription",
    ];

    private static readonly HashSet<string> Set = new(Names, StringComparer.Ordinal);
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Spans = Set.GetAlternateLookup<ReadOnlySpan<char>>(); // taken once, not per resource

    public static IReadOnlyCollection<string> All => Names;

    public static bool IsKnown(string name) => Set.Contains(name);

    /// <summary>Returns the interned type name, so callers keep no per-resource string.</summary>
    public static bool TryGet(ReadOnlySpan<char> name, out string resourceType)
    {
        if (Spans.TryGetValue(name, out var found))
        {
            resourceType = found;
            return true;
        }
        resourceType = "";
        return false;
    }

    /// <summary>
    /// The interned type name a JSON <c>resourceType</c> string names, read from its UTF-8 bytes (no string allocated
    /// unless it is written with escapes; an escape that is not valid Unicode names no type).
    /// </summary>
    internal static bool TryGet(ResourceElement typeElement, out string resourceType)
    {
        resourceType = "";
        if (typeElement.ValueKind != JsonValueKind.String) return false;
        var raw = PrimitiveFormats.Unquote(typeElement.RawUtf8);
        Span<char> buffer = stackalloc char[64];
        if (raw.Length > buffer.Length || raw.IndexOf((byte)'\\') >= 0)
        {
            string? text;
            try
            {
                text = typeElement.GetString();
            }
            catch (InvalidOperationException)
            {
                return false; // a lone surrogate escape: not a name
            }
            return text is not null && TryGet(text, out resourceType);
        }
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] >= 0x80) return false;
            buffer[i] = (char)raw[i];
        }
        return TryGet(buffer[..raw.Length], out resourceType);
    }
}
