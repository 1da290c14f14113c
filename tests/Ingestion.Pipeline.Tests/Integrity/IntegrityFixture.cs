namespace Ingestion.Pipeline.Tests.Integrity;

/// <summary>Small landed-folder exports for the referential-integrity tests: FHIR lines written to NDJSON files.</summary>
internal static class IntegrityFixture
{
    public static string Folder(string root, string name, IReadOnlyDictionary<string, string[]> files)
    {
        var folder = Path.Combine(root, name);
        Directory.CreateDirectory(folder);
        foreach (var (file, lines) in files) File.WriteAllLines(Path.Combine(folder, file), lines);
        return folder;
    }

    public static string Patient(string id, string gender, string lastUpdated = "2024-01-01T00:00:00Z") =>
        $$"""{"resourceType":"Patient","id":"{{id}}","meta":{"lastUpdated":"{{lastUpdated}}"},"gender":"{{gender}}","birthDate":"1970-05-06"}""";

    public static string Encounter(string id, string patient, string? start, string? practitioner = null, string? organization = null)
    {
        var period = start is null ? "" : $$""","period":{"start":"{{start}}","end":"{{start}}"}""";
        var participant = practitioner is null ? "" : $$$""","participant":[{"individual":{"reference":"Practitioner/{{{practitioner}}}"}}]""";
        var provider = organization is null ? "" : $$""","serviceProvider":{"reference":"Organization/{{organization}}"}""";
        return $$"""{"resourceType":"Encounter","id":"{{id}}","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"Patient/{{patient}}"}{{period}}{{participant}}{{provider}}}""";
    }

    public static string HbA1c(string id, string patient, string? encounter, string effective = "2023-03-04T10:00:00Z")
    {
        var visit = encounter is null ? "" : $$""","encounter":{"reference":"Encounter/{{encounter}}"}""";
        return $$$"""{"resourceType":"Observation","id":"{{{id}}}","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"subject":{"reference":"Patient/{{{patient}}}"}{{{visit}}},"effectiveDateTime":"{{{effective}}}","valueQuantity":{"value":7.1,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}""";
    }

    public static string Prescription(string id, string patient, string? encounter)
    {
        var visit = encounter is null ? "" : $$""","encounter":{"reference":"Encounter/{{encounter}}"}""";
        return $$"""{"resourceType":"MedicationRequest","id":"{{id}}","status":"active","intent":"order","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"860975"}]},"subject":{"reference":"Patient/{{patient}}"}{{visit}},"authoredOn":"2023-03-04"}""";
    }
}
