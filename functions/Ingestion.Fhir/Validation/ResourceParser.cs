using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Parses one NDJSON line into a FHIR resource document, reading JSON as strictly as FHIR does
/// in one pass for a clean line (the parser, then a walk for duplicate keys; see <see cref="TryParseClean"/>) and with
/// <see cref="StrictJsonScanner"/> first for any other, which says what is wrong and where. Problems that make the line unusable (malformed or too deeply nested JSON, not an
/// object, missing or unknown <c>resourceType</c>, duplicate keys, invalid UTF-8, unpaired surrogate escapes) come back as a fatal issue whose
/// message gives a byte offset or an element path, never content; the rest as <see cref="ResourceParseResult.JsonIssues"/>.
/// The document refers to the line's memory: keep it alive.
/// </summary>
public static class ResourceParser
{
    public const string RuleMalformedJson = "parse.json";
    public const string RuleNotAnObject = "parse.not-object";
    public const string RuleResourceTypeMissing = "parse.resourceType-missing";
    public const string RuleResourceTypeUnknown = "parse.resourceType-unknown";
    public const string RuleTooDeep = "json.depth";
    public const string RuleDuplicateKey = "json.duplicate-key";
    public const string RuleInvalidUtf8 = "json.invalid-utf8";
    public const string RuleStringTooLong = "json.string-too-long";
    public const string RuleInvalidUnicode = "json.invalid-unicode";

    public static ResourceParseResult Parse(ReadOnlyMemory<byte> utf8Line) => Parse(utf8Line, ResourceParserOptions.Default);

    public static ResourceParseResult Parse(ReadOnlyMemory<byte> utf8Line, ResourceParserOptions options) => Parse(utf8Line, options, knownValidUtf8: false);

    /// <summary>A line from <see cref="Ndjson.NdjsonReader"/>: the UTF-8 check the reader made is not made again.</summary>
    public static ResourceParseResult Parse(in Ndjson.NdjsonLine line, ResourceParserOptions options) => Parse(line.Utf8, options, line.IsValidUtf8);

    private static ResourceParseResult Parse(ReadOnlyMemory<byte> utf8Line, ResourceParserOptions options, bool knownValidUtf8)
    {
        ArgumentNullException.ThrowIfNull(options);
        // A .json file saved with a UTF-8 byte order mark is still one resource.
        if (utf8Line.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) utf8Line = utf8Line[3..];
        return ParseWithoutMark(utf8Line, options, knownValidUtf8);
    }

    private static ResourceParseResult ParseWithoutMark(ReadOnlyMemory<byte> utf8Line, ResourceParserOptions options, bool knownValidUtf8)
    {
        List<ValidationIssue>? jsonIssues = null;
        var document = TryParseClean(utf8Line, options, knownValidUtf8);
        var duplicatesChecked = document is null || !options.DeferDuplicateKeys;
        if (document is null)
        {
            var scanner = new StrictJsonScanner(utf8Line.Span, options);
            try
            {
                if (!scanner.Scan(out var offset, out var tooDeep))
                {
                    return tooDeep
                        ? Failure(null, RuleTooDeep, "structure", $"JSON nested deeper than the limit of {options.MaxDepth} levels (near byte {offset}).")
                        : Failure(null, RuleMalformedJson, "structure", $"Malformed JSON at byte {offset}.");
                }
                jsonIssues = scanner.Issues;
                if (jsonIssues is not null)
                {
                    var rootName = scanner.RootType ?? "$";
                    for (var i = 0; i < jsonIssues.Count; i++) jsonIssues[i] = jsonIssues[i] with { Location = rootName + jsonIssues[i].Location };
                    foreach (var issue in jsonIssues)
                    {
                        if (issue.Severity == IssueSeverity.Fatal) return new ResourceParseResult(null, null, issue, jsonIssues);
                    }
                }
            }
            finally
            {
                scanner.Dispose();
            }

            try
            {
                document = ResourceDocument.Parse(utf8Line, options.MaxDepth);
            }
            catch (JsonException ex)
            {
                // Unreachable after the scan; kept so a parser difference is reported, not thrown. The message would quote content.
                return Failure(null, RuleMalformedJson, "structure", $"Malformed JSON at byte {ex.BytePositionInLine ?? 0}.");
            }
        }

        var root = document.RootElement;
        var typeElement = root.ValueKind == JsonValueKind.Object ? FindResourceType(root) : default;
        if (typeElement.ValueKind != JsonValueKind.String || !FhirResourceTypes.TryGet(typeElement, out var resourceType))
        {
            // A duplicate key comes before these findings (a second resourceType among them): with the check left
            // out, the line is read again with it.
            if (!duplicatesChecked)
            {
                document.Dispose();
                return ParseWithoutMark(utf8Line, options with { DeferDuplicateKeys = false }, knownValidUtf8);
            }
            if (root.ValueKind != JsonValueKind.Object)
                return Failure(document, RuleNotAnObject, "structure", $"A resource must be a JSON object, found {root.ValueKind}.");
            if (typeElement.ValueKind != JsonValueKind.String)
                return Failure(document, RuleResourceTypeMissing, "required", "The resource has no resourceType string.");
            return Failure(document, RuleResourceTypeUnknown, "not-supported", "The resourceType is not a FHIR R4 resource type.");
        }

        return new ResourceParseResult(document, resourceType, null, jsonIssues) { DuplicateKeysChecked = duplicatesChecked };
    }

    /// <summary>
    /// The root's resourceType member (default when absent), found from the front: it is usually the first, while
    /// <c>TryGetProperty</c> reads every member (the last match wins). A document that gets here has no repeated name (a
    /// repeat is fatal before), so the first match is the only one; names are compared as they decode, as
    /// <c>TryGetProperty</c> does.
    /// </summary>
    private static ResourceElement FindResourceType(ResourceElement root)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("resourceType"u8)) return property.Value;
        }
        return default;
    }

    public static ResourceParseResult Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    /// <summary>
    /// The one pass for a line the strict rules cannot fault: the parser refuses malformed and too deep JSON and notes
    /// the escapes it reads (any at all, any <c>\uD800</c>-range one), <see cref="DuplicateKeyCheck"/> reads the accepted
    /// bytes for duplicate keys (cheaper than the parser's own check); what neither checks is ruled out first by
    /// vectorized looks at the whole line (valid UTF-8, no string can be over the limit). Null when the line needs the
    /// scanner (or may: the surrogate and duplicate checks err only that way): it then finds the problem and says where,
    /// exactly as it always did.
    /// </summary>
    private static ResourceDocument? TryParseClean(ReadOnlyMemory<byte> utf8Line, ResourceParserOptions options, bool knownValidUtf8)
    {
        var span = utf8Line.Span;
        if (span.Length > options.MaxStringBytes || (!knownValidUtf8 && !Utf8.IsValid(span))) return null;
        ResourceDocument document;
        try
        {
            document = ResourceDocument.Parse(utf8Line, options.MaxDepth);
        }
        catch (JsonException)
        {
            return null;
        }
        // A \uD800-range escape may be an unpaired surrogate: the scanner says.
        var escapes = document.Escapes;
        if ((escapes & TextEscapes.SurrogateLike) == 0)
        {
            if (options.DeferDuplicateKeys) return document;
            // Only now: the check reads the bytes and relies on the parser having accepted them. Most lines have no
            // escape at all: every name is then written as it reads.
            if (!DuplicateKeyCheck.MayHaveDuplicate(span, mayHaveEscapes: (escapes & TextEscapes.Any) != 0)) return document;
        }
        document.Dispose();
        return null;
    }

    private static ResourceParseResult Failure(ResourceDocument? document, string ruleId, string code, string message)
    {
        document?.Dispose();
        return new ResourceParseResult(null, null, new ValidationIssue(IssueSeverity.Fatal, code, "$", message, null, ruleId), null);
    }
}
