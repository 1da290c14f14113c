using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>Reads FHIR JSON elements by FHIR's rules (absent and null are the same; wrong kinds read as absent).</summary>
internal static class FhirJson
{
    private const int StackReferenceChars = 256;

    public static string? String(JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>Whether a string property equals <paramref name="expected"/> (UTF-8), without allocating the string.</summary>
    public static bool StringEquals(JsonElement element, ReadOnlySpan<byte> name, ReadOnlySpan<byte> expected) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.ValueEquals(expected);

    /// <summary>Whether a string property is present and non-empty, without allocating the string.</summary>
    public static bool HasNonEmptyString(JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && !value.ValueEquals(ReadOnlySpan<byte>.Empty);

    public static JsonElement Object(JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : default;

    public static JsonElement Array(JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value
            : default;

    /// <summary>The first element of an array property, or undefined.</summary>
    public static JsonElement First(JsonElement element, ReadOnlySpan<byte> name)
    {
        var array = Array(element, name);
        return array.ValueKind == JsonValueKind.Array && array.GetArrayLength() > 0 ? array[0] : default;
    }

    public static double? Number(JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetDouble(out var d)
            ? d
            : null;

    /// <summary>The logical id of a Reference-typed property.</summary>
    public static string? ReferenceId(JsonElement element, ReadOnlySpan<byte> name, string? expectedType = null) =>
        LogicalId(Object(element, name), expectedType);

    /// <summary>
    /// The logical id of a Reference object's <c>reference</c>, or null when it is absent or not a string. Three or
    /// more per resource: read through a stack buffer so only the id is allocated, not the whole reference too.
    /// </summary>
    public static string? LogicalId(JsonElement reference, string? expectedType = null)
    {
        if (reference.ValueKind != JsonValueKind.Object || !reference.TryGetProperty("reference"u8, out var value)
            || value.ValueKind != JsonValueKind.String)
            return null;
        // The raw token is the quoted UTF-8 text; escaped text (rare in references) takes the decoding path.
        var raw = JsonMarshal.GetRawUtf8Value(value);
        var utf8 = raw[1..^1];
        if (utf8.Length > StackReferenceChars || utf8.Contains((byte)'\\')) return FhirReference.LogicalId(value.GetString(), expectedType);
        Span<char> chars = stackalloc char[StackReferenceChars];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        return FhirReference.LogicalId(chars[..length], expectedType);
    }

    public static bool IsDefined(JsonElement element) => element.ValueKind != JsonValueKind.Undefined;
}
