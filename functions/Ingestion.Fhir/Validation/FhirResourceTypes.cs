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

    // Each name's id is its index in Names (see TryGet with an id).
    private static readonly Dictionary<string, int> Ids = Names.Select((name, id) => (name, id)).ToDictionary(n => n.name, n => n.id, StringComparer.Ordinal);
    private static readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Spans = Ids.GetAlternateLookup<ReadOnlySpan<char>>(); // taken once, not per resource

    public static IReadOnlyCollection<string> All => Names;

    /// <summary>The number of type ids: 0 to <c>Count - 1</c>, in the order of <see cref="All"/>.</summary>
    internal static int Count => Names.Length;

    public static bool IsKnown(string name) => Ids.ContainsKey(name);

    /// <summary>Returns the interned type name, so callers keep no per-resource string.</summary>
    public static bool TryGet(ReadOnlySpan<char> name, out string resourceType) => TryGet(name, out resourceType, out _);

    /// <summary>As above, with the type's id (its place in <see cref="All"/>): per-type facts are then an array read.</summary>
    internal static bool TryGet(ReadOnlySpan<char> name, out string resourceType, out int id)
    {
        if (Spans.TryGetValue(name, out var found, out id))
        {
            resourceType = found;
            return true;
        }
        resourceType = "";
        id = -1;
        return false;
    }

    /// <summary>
    /// The interned type name a JSON <c>resourceType</c> string names, read from its UTF-8 bytes (no string allocated
    /// unless it is written with escapes; an escape that is not valid Unicode names no type).
    /// </summary>
    internal static bool TryGet(ResourceElement typeElement, out string resourceType) => TryGet(typeElement, out resourceType, out _);

    /// <summary>As above, with the type's id (<see cref="TryGet(ReadOnlySpan{char}, out string, out int)"/>).</summary>
    internal static bool TryGet(ResourceElement typeElement, out string resourceType, out int id)
    {
        resourceType = "";
        id = -1;
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
            return text is not null && TryGet(text, out resourceType, out id);
        }
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] >= 0x80) return false;
            buffer[i] = (char)raw[i];
        }
        return TryGet(buffer[..raw.Length], out resourceType, out id);
    }
}
