using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>Reads FHIR JSON elements by FHIR's rules (absent and null are the same; wrong kinds read as absent).</summary>
internal static class FhirJson
{
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

    /// <summary>For property names chosen at run time; hot paths pass UTF-8 literals.</summary>
    public static JsonElement Object(JsonElement element, string name) =>
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
        FhirReference.LogicalId(String(Object(element, name), "reference"u8), expectedType);

    public static bool IsDefined(JsonElement element) => element.ValueKind != JsonValueKind.Undefined;
}
