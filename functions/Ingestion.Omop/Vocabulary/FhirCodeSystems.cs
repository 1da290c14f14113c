namespace Ingestion.Omop;

/// <summary>
/// FHIR code system URIs and their OMOP vocabulary_id (HL7 terminology, US Core and the FHIR-to-OMOP IG).
/// The HL7 gender, race, ethnicity and encounter-class systems have no Athena codes of their own; the mapper
/// translates their codes with <see cref="FhirValueSetMaps"/>.
/// </summary>
public static class FhirCodeSystems
{
    public const string Snomed = "http://snomed.info/sct";
    public const string Loinc = "http://loinc.org";
    public const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public const string Cvx = "http://hl7.org/fhir/sid/cvx";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string AdministrativeGender = "http://hl7.org/fhir/administrative-gender";
    public const string CdcRaceEthnicity = "urn:oid:2.16.840.1.113883.6.238";
    public const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    private static readonly Dictionary<string, string> BySystem = new(StringComparer.Ordinal)
    {
        [Snomed] = "SNOMED",
        [Loinc] = "LOINC",
        [RxNorm] = "RxNorm",
        ["http://www.nlm.nih.gov/research/umls/rxnorm-extension"] = "RxNorm Extension",
        ["http://fhir.ohdsi.org/CodeSystem/rxnorm-extension"] = "RxNorm Extension",
        [Cvx] = "CVX",
        ["http://hl7.org/fhir/sid/icd-10-cm"] = "ICD10CM",
        ["http://hl7.org/fhir/sid/icd-9-cm"] = "ICD9CM",
        ["http://www.ama-assn.org/go/cpt"] = "CPT4",
        ["urn:oid:2.16.840.1.113883.6.285"] = "HCPCS",
        ["http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"] = "HCPCS",
        ["http://hl7.org/fhir/sid/ndc"] = "NDC",
        [Ucum] = "UCUM",
        [AdministrativeGender] = "Gender",
        [CdcRaceEthnicity] = "Race",
        [ActCode] = "Visit",
        ["http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender"] = "Gender",
    };

    public static string? VocabularyIdOf(string systemUri) =>
        BySystem.TryGetValue(systemUri, out var id) ? id : null;

    // The URIs above as UTF-8, most used first (the order of BySystem), to read a coding's system without a string.
    private static readonly (byte[] Utf8, string Uri)[] KnownUris =
        [.. BySystem.Keys.Select(uri => (System.Text.Encoding.UTF8.GetBytes(uri), uri))];

    /// <summary>The shared string of a known system URI given as UTF-8, or null when it is not one of them.</summary>
    internal static string? KnownUri(ReadOnlySpan<byte> utf8)
    {
        foreach (var (known, uri) in KnownUris)
        {
            if (utf8.SequenceEqual(known)) return uri;
        }
        return null;
    }
}
