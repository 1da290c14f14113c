using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Chooses the profile for a resource that declares none: a configured override for its type, else the first rule
/// (type, optional category code, optional LOINC/SNOMED code) whose profile is loaded, unless choosing by content is
/// switched off (<see cref="UsCoreValidatorOptions.SelectProfileByContent"/>). Allocation-free per resource.
/// </summary>
internal sealed class ProfileSelector
{
    private const string UsCore = "http://hl7.org/fhir/us/core/StructureDefinition/";

    internal readonly record struct Rule(string? Category, string? Code, CompiledProfile Profile);

    /// <summary>
    /// A type's rules: code-only rules (vital signs by LOINC code) as one lookup by code rather than rule by rule, then
    /// the others in order. The validator keeps them by type id (<see cref="For"/>) with its other facts about the type.
    /// </summary>
    internal sealed record TypeRules(Dictionary<string, CompiledProfile>.AlternateLookup<ReadOnlySpan<char>>? ByCode, Rule[] Rules);

    private readonly Dictionary<string, TypeRules> _byType = new(StringComparer.Ordinal);

    /// <summary>(resource type, category code, code, US Core profile id), first match wins.</summary>
    private static readonly (string Type, string? Category, string? Code, string ProfileId)[] DefaultRules =
    [
        ("Observation", null, "85354-9", "us-core-blood-pressure"),
        ("Observation", null, "39156-5", "us-core-bmi"),
        ("Observation", null, "8302-2", "us-core-body-height"),
        ("Observation", null, "8310-5", "us-core-body-temperature"),
        ("Observation", null, "29463-7", "us-core-body-weight"),
        ("Observation", null, "8867-4", "us-core-heart-rate"),
        ("Observation", null, "59408-5", "us-core-pulse-oximetry"),
        ("Observation", null, "2708-6", "us-core-pulse-oximetry"),
        ("Observation", null, "9279-1", "us-core-respiratory-rate"),
        ("Observation", null, "9843-4", "us-core-head-circumference"),
        ("Observation", null, "59576-9", "pediatric-bmi-for-age"),
        ("Observation", null, "77606-2", "pediatric-weight-for-height"),
        ("Observation", null, "8289-1", "head-occipital-frontal-circumference-percentile"),
        ("Observation", null, "72166-2", "us-core-smokingstatus"),
        ("Observation", "laboratory", null, "us-core-observation-lab"),
        ("Observation", "vital-signs", null, "us-core-vital-signs"),
        ("Observation", "survey", null, "us-core-observation-screening-assessment"),
        ("Observation", "social-history", null, "us-core-simple-observation"),
        ("Observation", null, null, "us-core-observation-clinical-result"),
        ("Condition", "encounter-diagnosis", null, "us-core-condition-encounter-diagnosis"),
        ("Condition", null, null, "us-core-condition-problems-health-concerns"),
        ("DiagnosticReport", "LAB", null, "us-core-diagnosticreport-lab"),
        ("DiagnosticReport", null, null, "us-core-diagnosticreport-note"),
        ("Patient", null, null, "us-core-patient"),
        ("Encounter", null, null, "us-core-encounter"),
        ("MedicationRequest", null, null, "us-core-medicationrequest"),
        ("Medication", null, null, "us-core-medication"),
        ("MedicationDispense", null, null, "us-core-medicationdispense"),
        ("Procedure", null, null, "us-core-procedure"),
        ("Immunization", null, null, "us-core-immunization"),
        ("AllergyIntolerance", null, null, "us-core-allergyintolerance"),
        ("DocumentReference", null, null, "us-core-documentreference"),
        ("Practitioner", null, null, "us-core-practitioner"),
        ("PractitionerRole", null, null, "us-core-practitionerrole"),
        ("Organization", null, null, "us-core-organization"),
        ("Location", null, null, "us-core-location"),
        ("CarePlan", null, null, "us-core-careplan"),
        ("CareTeam", null, null, "us-core-careteam"),
        ("Goal", null, null, "us-core-goal"),
        ("Device", null, null, "us-core-implantable-device"),
        ("Coverage", null, null, "us-core-coverage"),
        ("ServiceRequest", null, null, "us-core-servicerequest"),
        ("Specimen", null, null, "us-core-specimen"),
        ("Provenance", null, null, "us-core-provenance"),
        ("RelatedPerson", null, null, "us-core-relatedperson"),
        ("QuestionnaireResponse", null, null, "us-core-questionnaireresponse"),
    ];

    public ProfileSelector(IReadOnlyDictionary<string, CompiledProfile> compiled, IReadOnlyDictionary<string, string> overrides, bool selectByContent)
    {
        CompiledProfile? Find(string urlOrId) =>
            compiled.GetValueOrDefault(urlOrId) ?? compiled.GetValueOrDefault(UsCore + urlOrId);

        var lists = new Dictionary<string, List<Rule>>(StringComparer.Ordinal);
        foreach (var (type, profileRef) in overrides)
        {
            if (Find(profileRef) is not { } profile) throw new ArgumentException($"Validation:ProfileOverrides:{type} names a profile that is not loaded: {profileRef}");
            lists[type] = [new Rule(null, null, profile)];
        }
        foreach (var (type, category, code, id) in DefaultRules)
        {
            if (!selectByContent || overrides.ContainsKey(type) || Find(id) is not { } profile || profile.Type != type) continue;
            if (!lists.TryGetValue(type, out var list)) lists[type] = list = [];
            list.Add(new Rule(category, code, profile));
        }
        foreach (var (type, list) in lists)
        {
            // Code-only rules come first in DefaultRules, so checking them before the rest keeps first-match order.
            var byCode = list.Where(r => r.Code is not null && r.Category is null).GroupBy(r => r.Code!).ToDictionary(g => g.Key, g => g.First().Profile, StringComparer.Ordinal);
            _byType[type] = new TypeRules(
                byCode.Count > 0 ? byCode.GetAlternateLookup<ReadOnlySpan<char>>() : null, // taken once, not per resource
                list.Where(r => !(r.Code is not null && r.Category is null)).ToArray());
        }
    }

    /// <summary>The rules for a resource type; null when it has none (no profile is chosen by content).</summary>
    public TypeRules? For(string resourceType) => _byType.GetValueOrDefault(resourceType);

    /// <param name="root">The resource's root names when read already (<see cref="FhirPathObjectIndex.Usable"/>): looked up there instead of in the JSON.</param>
    public static CompiledProfile? Select(TypeRules? typeRules, ResourceElement resource, FhirPathObjectIndex? root = null)
    {
        if (typeRules is null) return null;
        if (root is { Usable: false }) root = null;
        if (typeRules.ByCode is { } byCode && ByCode(resource, root, byCode) is { } coded) return coded;
        foreach (var rule in typeRules.Rules)
        {
            if (rule.Category is { } category && !HasCode(resource, root, "category", category)) continue;
            if (rule.Code is { } code && !HasCode(resource, root, "code", code)) continue;
            return rule.Profile;
        }
        return null;
    }

    private static bool RootProperty(ResourceElement resource, FhirPathObjectIndex? root, string name, out ResourceElement value) =>
        root is not null ? root.TryGet(name, out value) : resource.TryGetProperty(name, out value);

    private static CompiledProfile? ByCode(ResourceElement resource, FhirPathObjectIndex? root, Dictionary<string, CompiledProfile>.AlternateLookup<ReadOnlySpan<char>> lookup)
    {
        if (!RootProperty(resource, root, "code", out var concept) || concept.ValueKind != JsonValueKind.Object
            || !concept.TryGetProperty("coding"u8, out var codings) || codings.ValueKind != JsonValueKind.Array) return null;
        Span<char> buffer = stackalloc char[32];
        foreach (var coding in codings.EnumerateArray())
        {
            if (coding.ValueKind != JsonValueKind.Object || !coding.TryGetProperty("code"u8, out var code) || code.ValueKind != JsonValueKind.String) continue;
            var raw = PrimitiveFormats.Unquote(code.RawUtf8);
            if (raw.Length > buffer.Length) continue;
            for (var i = 0; i < raw.Length; i++) buffer[i] = (char)raw[i];
            if (lookup.TryGetValue(buffer[..raw.Length], out var profile)) return profile;
        }
        return null;
    }

    /// <summary>True when the CodeableConcept (or array of them) at <paramref name="element"/> has a coding with this code.</summary>
    private static bool HasCode(ResourceElement resource, FhirPathObjectIndex? root, string element, string code)
    {
        if (!RootProperty(resource, root, element, out var value)) return false;
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var concept in value.EnumerateArray())
            {
                if (ConceptHasCode(concept, code)) return true;
            }
            return false;
        }
        return ConceptHasCode(value, code);
    }

    private static bool ConceptHasCode(ResourceElement concept, string code)
    {
        if (concept.ValueKind != JsonValueKind.Object || !concept.TryGetProperty("coding"u8, out var codings) || codings.ValueKind != JsonValueKind.Array) return false;
        foreach (var coding in codings.EnumerateArray())
        {
            if (coding.ValueKind == JsonValueKind.Object && coding.TryGetProperty("code"u8, out var c) && c.ValueKind == JsonValueKind.String && c.ValueEquals(code)) return true;
        }
        return false;
    }
}
