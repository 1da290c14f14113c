using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// FHIR status semantics per resource type (docs/omop-mapping.md, "Status semantics"): which status, intent or
/// verification status means the resource records no clinical fact (refuted, cancelled, planned, entered in error,
/// not done ...). Such a resource is excluded: counted by reason, neither mapped nor quarantined (it is not an error).
/// Reasons are built from this fixed table only (<c>Type.element=code</c>), never from the input.
/// </summary>
internal sealed class ResourceStatusRules
{
    private readonly Dictionary<string, Rule[]> _rulesByType;
    // The same rules by covered type: an array index per resource instead of a string lookup.
    private readonly Rule[][] _rulesByCoveredType;

    public ResourceStatusRules(OmopMapperOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rules = new List<Rule>
        {
            new("Encounter", Element.Status, "planned"),
            new("Encounter", Element.Status, "cancelled"),
            new("Encounter", Element.Status, "entered-in-error"),
            new("Condition", Element.VerificationStatus, "refuted"),
            new("Condition", Element.VerificationStatus, "entered-in-error"),
            new("AllergyIntolerance", Element.VerificationStatus, "refuted"),
            new("AllergyIntolerance", Element.VerificationStatus, "entered-in-error"),
            new("Observation", Element.Status, "registered"),
            new("Observation", Element.Status, "cancelled"),
            new("Observation", Element.Status, "entered-in-error"),
            new("Procedure", Element.Status, "preparation"),
            new("Procedure", Element.Status, "not-done"),
            new("Procedure", Element.Status, "entered-in-error"),
            new("MedicationRequest", Element.Status, "draft"),
            new("MedicationRequest", Element.Status, "cancelled"),
            new("MedicationRequest", Element.Status, "entered-in-error"),
            new("MedicationRequest", Element.Intent, "proposal"),
            new("MedicationRequest", Element.Intent, "plan"),
            new("MedicationStatement", Element.Status, "not-taken"),
            new("MedicationStatement", Element.Status, "intended"),
            new("MedicationStatement", Element.Status, "entered-in-error"),
            new("MedicationAdministration", Element.Status, "not-done"),
            new("MedicationAdministration", Element.Status, "entered-in-error"),
            new("Immunization", Element.Status, "not-done"),
            new("Immunization", Element.Status, "entered-in-error"),
            new("Device", Element.Status, "entered-in-error"),
            new("DeviceUseStatement", Element.Status, "intended"),
            new("DeviceUseStatement", Element.Status, "entered-in-error"),
            new("Specimen", Element.Status, "entered-in-error"),
            new("DocumentReference", Element.Status, "entered-in-error"),
            new("Claim", Element.Status, "cancelled"),
            new("Claim", Element.Status, "draft"),
            new("Claim", Element.Status, "entered-in-error"),
            new("ExplanationOfBenefit", Element.Status, "cancelled"),
            new("ExplanationOfBenefit", Element.Status, "draft"),
            new("ExplanationOfBenefit", Element.Status, "entered-in-error"),
        };
        if (options.ExcludeProvisionalConditions)
        {
            rules.Add(new("Condition", Element.VerificationStatus, "provisional"));
            rules.Add(new("Condition", Element.VerificationStatus, "differential"));
        }
        if (options.ExcludePreliminaryResults) rules.Add(new("Observation", Element.Status, "preliminary"));
        _rulesByType = rules.GroupBy(r => r.Type, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _rulesByCoveredType = Enum.GetValues<CoveredType>().Select(t => _rulesByType.GetValueOrDefault(t.ToString()) ?? []).ToArray();
    }

    /// <summary>Every reason this rule set can give, for documentation and tests.</summary>
    public IEnumerable<string> Reasons => _rulesByType.Values.SelectMany(r => r).Select(r => r.Reason);

    /// <summary>The exclusion reason of a resource of <paramref name="type"/>, or null when it is to be mapped.</summary>
    public string? ExclusionReason(CoveredType type, in ResourceHeader resource)
    {
        foreach (var rule in _rulesByCoveredType[(int)type])
        {
            if (rule.Matches(resource)) return rule.Reason;
        }
        return null;
    }

    private enum Element { Status, Intent, VerificationStatus }

    private sealed class Rule
    {
        private readonly byte[] _code;

        public Rule(string type, Element element, string code)
        {
            Type = type;
            ElementKind = element;
            _code = Encoding.UTF8.GetBytes(code);
            Reason = type + "." + ElementName(element) + "=" + code;
        }

        public string Type { get; }
        public Element ElementKind { get; }
        public string Reason { get; }

        public bool Matches(in ResourceHeader resource) => ElementKind switch
        {
            Element.Status => FhirJson.StringEquals(resource.Status, _code),
            Element.Intent => FhirJson.StringEquals(resource.Intent, _code),
            _ => HasCoding(FhirJson.Object(resource.VerificationStatus), _code),
        };

        private static string ElementName(Element element) => element switch
        {
            Element.Status => "status",
            Element.Intent => "intent",
            _ => "verificationStatus",
        };
    }

    /// <summary>Whether any coding of a CodeableConcept has <paramref name="code"/> (compared as UTF-8).</summary>
    internal static bool HasCoding(ResourceElement codeableConcept, ReadOnlySpan<byte> code)
    {
        if (codeableConcept.ValueKind != JsonValueKind.Object) return false;
        // A code equal to it is in the raw text as it stands, or written with escapes: one vectorised search rules
        // most concepts out without walking their codings.
        var raw = codeableConcept.RawUtf8;
        if (raw.IndexOf(code) < 0 && !raw.Contains((byte)'\\')) return false;
        var codings = FhirJson.Array(codeableConcept, "coding"u8);
        if (codings.ValueKind != JsonValueKind.Array) return false;
        foreach (var coding in codings.EnumerateArray())
        {
            if (FhirJson.StringEquals(coding, "code"u8, code)) return true;
        }
        return false;
    }
}
