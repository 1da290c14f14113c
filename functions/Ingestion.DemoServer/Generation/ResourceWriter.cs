using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Ingestion.DemoServer;

/// <summary>
/// Writes one FHIR resource as a compact JSON line and applies the resource's defect where it belongs:
/// the patient reference is left out (MissingRequiredElement), the main date is made invalid (InvalidDate),
/// the main code is replaced (UnknownCode), or the line is cut in half (MalformedJson).
/// </summary>
internal sealed class ResourceWriter
{
    public const string UsCoreVersion = "6.1.0";
    private const string InvalidDateValue = "2021-13-45";
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;

    public ResourceWriter() => _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public Utf8JsonWriter Json => _json;
    public DefectKind? Defect { get; private set; }

    public void Begin(string resourceType, string id, DefectKind? defect, string profile, DateTimeOffset lastUpdated)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        Defect = defect;
        _json.WriteStartObject();
        _json.WriteString("resourceType", resourceType);
        _json.WriteString("id", id);
        _json.WriteStartObject("meta");
        _json.WriteString("lastUpdated", Instant(lastUpdated));
        _json.WriteStartArray("profile");
        _json.WriteStringValue($"http://hl7.org/fhir/us/core/StructureDefinition/{profile}|{UsCoreVersion}");
        _json.WriteEndArray();
        _json.WriteEndObject();
    }

    public byte[] End()
    {
        _json.WriteEndObject();
        _json.Flush();
        var span = _buffer.WrittenSpan;
        // A line cut in half is an unterminated object: never valid JSON, and still one line.
        return Defect == DefectKind.MalformedJson ? span[..(span.Length / 2)].ToArray() : span.ToArray();
    }

    /// <summary>The reference to the patient (subject or patient), left out for MissingRequiredElement.</summary>
    public void PatientReference(string propertyName, string patientId)
    {
        if (Defect == DefectKind.MissingRequiredElement) return;
        Reference(propertyName, "Patient/" + patientId);
    }

    /// <summary>The resource's main dateTime, made invalid for InvalidDate.</summary>
    public void MainDateTime(string propertyName, DateTimeOffset value) =>
        _json.WriteString(propertyName, Defect == DefectKind.InvalidDate ? InvalidDateValue : DateTime(value));

    /// <summary>The resource's main code, replaced by a code in no vocabulary for UnknownCode.</summary>
    public void MainCode(string propertyName, DemoCode code) => CodeableConcept(propertyName, AsMainCode(code));

    /// <summary>The main code as an array item (e.g. Encounter.type[0]), replaced for UnknownCode.</summary>
    public void MainCodeValue(DemoCode code) => CodeableConceptValue(AsMainCode(code));

    private DemoCode AsMainCode(DemoCode code) => Defect == DefectKind.UnknownCode
        ? code with { Code = DemoCodeTable.UnknownCodeFor(code.System), Display = "Unknown code" }
        : code;

    public void Reference(string propertyName, string reference)
    {
        _json.WriteStartObject(propertyName);
        _json.WriteString("reference", reference);
        _json.WriteEndObject();
    }

    public void CodeableConcept(string propertyName, DemoCode code)
    {
        _json.WriteStartObject(propertyName);
        CodingArray(code);
        _json.WriteString("text", code.Display);
        _json.WriteEndObject();
    }

    public void CodeableConceptValue(DemoCode code)
    {
        _json.WriteStartObject();
        CodingArray(code);
        _json.WriteString("text", code.Display);
        _json.WriteEndObject();
    }

    public void CodeableConceptArray(string propertyName, DemoCode code)
    {
        _json.WriteStartArray(propertyName);
        CodeableConceptValue(code);
        _json.WriteEndArray();
    }

    /// <summary>A category / status concept from an HL7 terminology code system.</summary>
    public void TerminologyConcept(string propertyName, string codeSystem, string code, string display, bool asArray = false)
    {
        if (asArray) _json.WriteStartArray(propertyName); else _json.WritePropertyName(propertyName);
        CodeableConceptValue(new DemoCode("http://terminology.hl7.org/CodeSystem/" + codeSystem, code, display));
        if (asArray) _json.WriteEndArray();
    }

    public void Quantity(string propertyName, double value, string unit)
    {
        _json.WriteStartObject(propertyName);
        _json.WriteNumber("value", Math.Round(value, 1));
        _json.WriteString("unit", unit);
        _json.WriteString("system", DemoCodeTable.Ucum);
        _json.WriteString("code", unit);
        _json.WriteEndObject();
    }

    public void Identifier(string system, string value)
    {
        _json.WriteStartArray("identifier");
        _json.WriteStartObject();
        _json.WriteString("system", system);
        _json.WriteString("value", value);
        _json.WriteEndObject();
        _json.WriteEndArray();
    }

    /// <summary>Writes <c>address</c>: an array (Patient, Organization: 0..*) or, for Location (0..1), one object.</summary>
    public void Address(string line, string city, string state, string postalCode, bool single = false)
    {
        if (single) _json.WritePropertyName("address");
        else _json.WriteStartArray("address");
        _json.WriteStartObject();
        _json.WriteStartArray("line");
        _json.WriteStringValue(line);
        _json.WriteEndArray();
        _json.WriteString("city", city);
        _json.WriteString("state", state);
        _json.WriteString("postalCode", postalCode);
        _json.WriteString("country", "US");
        _json.WriteEndObject();
        if (!single) _json.WriteEndArray();
    }

    public void Phone(string value)
    {
        _json.WriteStartArray("telecom");
        _json.WriteStartObject();
        _json.WriteString("system", "phone");
        _json.WriteString("value", value);
        _json.WriteString("use", "work");
        _json.WriteEndObject();
        _json.WriteEndArray();
    }

    public void HumanName(string family, string given, string? prefix = null)
    {
        _json.WriteStartArray("name");
        _json.WriteStartObject();
        _json.WriteString("use", "official");
        _json.WriteString("family", family);
        _json.WriteStartArray("given");
        _json.WriteStringValue(given);
        _json.WriteEndArray();
        if (prefix is not null)
        {
            _json.WriteStartArray("prefix");
            _json.WriteStringValue(prefix);
            _json.WriteEndArray();
        }
        _json.WriteEndObject();
        _json.WriteEndArray();
    }

    private void CodingArray(DemoCode code)
    {
        _json.WriteStartArray("coding");
        _json.WriteStartObject();
        _json.WriteString("system", code.System);
        _json.WriteString("code", code.Code);
        _json.WriteString("display", code.Display);
        _json.WriteEndObject();
        _json.WriteEndArray();
    }

    public static string Instant(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    public static string DateTime(DateTimeOffset value) => Instant(value);
    public static string Date(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
