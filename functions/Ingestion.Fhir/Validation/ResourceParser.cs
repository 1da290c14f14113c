using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Parses one NDJSON line into a FHIR resource document. Structural problems that make the line unusable
/// (malformed JSON, not an object, missing or unknown <c>resourceType</c>) come back as a fatal issue whose message
/// gives a byte offset, never content. The document refers to <paramref name="utf8Line"/>'s memory: keep it alive.
/// </summary>
public static class ResourceParser
{
    public const string RuleMalformedJson = "parse.json";
    public const string RuleNotAnObject = "parse.not-object";
    public const string RuleResourceTypeMissing = "parse.resourceType-missing";
    public const string RuleResourceTypeUnknown = "parse.resourceType-unknown";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 128 };

    public static ResourceParseResult Parse(ReadOnlyMemory<byte> utf8Line)
    {
        // A .json file saved with a UTF-8 byte order mark is still one resource.
        if (utf8Line.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) utf8Line = utf8Line[3..];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Line, DocumentOptions);
        }
        catch (JsonException ex)
        {
            // BytePositionInLine is the offset within the (single-line) resource; the exception message would quote content.
            var offset = ex.BytePositionInLine ?? 0;
            var line = ex.LineNumber ?? 0;
            var where = line > 0 ? $"line {line + 1}, byte {offset}" : $"byte {offset}";
            return Failure(null, RuleMalformedJson, "structure", $"Malformed JSON at {where}.");
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            return Failure(document, RuleNotAnObject, "structure", $"A resource must be a JSON object, found {root.ValueKind}.");
        if (!root.TryGetProperty("resourceType"u8, out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            return Failure(document, RuleResourceTypeMissing, "required", "The resource has no resourceType string.");

        if (!TryKnownType(typeElement, out var resourceType))
            return Failure(document, RuleResourceTypeUnknown, "not-supported", "The resourceType is not a FHIR R4 resource type.");

        string? id = root.TryGetProperty("id"u8, out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        return new ResourceParseResult(document, resourceType, id, null);
    }

    public static ResourceParseResult Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    private static bool TryKnownType(JsonElement typeElement, out string resourceType)
    {
        Span<char> buffer = stackalloc char[64];
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(typeElement);
        raw = PrimitiveFormats.Unquote(raw);
        if (raw.Length > buffer.Length || raw.IndexOf((byte)'\\') >= 0)
        {
            resourceType = "";
            return FhirResourceTypes.TryGet(typeElement.GetString() ?? "", out resourceType);
        }
        for (var i = 0; i < raw.Length; i++) buffer[i] = (char)raw[i];
        return FhirResourceTypes.TryGet(buffer[..raw.Length], out resourceType);
    }

    private static ResourceParseResult Failure(JsonDocument? document, string ruleId, string code, string message)
    {
        document?.Dispose();
        return new ResourceParseResult(null, null, null, new ValidationIssue(IssueSeverity.Fatal, code, "$", message, null, ruleId));
    }
}
