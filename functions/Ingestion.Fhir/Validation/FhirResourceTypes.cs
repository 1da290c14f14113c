using Ingestion.Fhir.Json;
using System.Text;
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

    // The same names by their UTF-8 bytes, for resourceType as written (most resources): open addressing over the
    // names' NameKey hashes, so a resource's type is found without transcoding its bytes or hashing a string.
    private static readonly byte[][] Utf8Names = Names.Select(Encoding.UTF8.GetBytes).ToArray();
    private const int Utf8SlotMask = 511;
    private static readonly short[] Utf8Slots = Utf8SlotsOf(Utf8Names); // id + 1; 0: empty

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
        if (raw.Length > 64 || raw.IndexOf((byte)'\\') >= 0)
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
        if (!TryGetUtf8(raw, out id)) return false;
        resourceType = Names[id];
        return true;
    }

    /// <summary>A name's id by its unescaped UTF-8 bytes (no name has a byte ≥ 0x80: such bytes name no type).</summary>
    private static bool TryGetUtf8(ReadOnlySpan<byte> name, out int id)
    {
        var slot = NameKey.Of(name).Hash() & Utf8SlotMask;
        while (Utf8Slots[slot] is var entry and not 0)
        {
            if (name.SequenceEqual(Utf8Names[entry - 1]))
            {
                id = entry - 1;
                return true;
            }
            slot = (slot + 1) & Utf8SlotMask;
        }
        id = -1;
        return false;
    }

    private static short[] Utf8SlotsOf(byte[][] names)
    {
        var slots = new short[Utf8SlotMask + 1];
        for (var id = 0; id < names.Length; id++)
        {
            var slot = NameKey.Of(names[id]).Hash() & Utf8SlotMask;
            while (slots[slot] != 0) slot = (slot + 1) & Utf8SlotMask;
            slots[slot] = (short)(id + 1);
        }
        return slots;
    }
}
