using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>Reads FHIR JSON elements by FHIR's rules (absent and null are the same; wrong kinds read as absent).</summary>
internal static class FhirJson
{
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static JsonElement Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : default;

    public static JsonElement Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value
            : default;

    /// <summary>The first element of an array property, or undefined.</summary>
    public static JsonElement First(JsonElement element, string name)
    {
        var array = Array(element, name);
        return array.ValueKind == JsonValueKind.Array && array.GetArrayLength() > 0 ? array[0] : default;
    }

    public static double? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetDouble(out var d)
            ? d
            : null;

    /// <summary>The logical id of a Reference-typed property.</summary>
    public static string? ReferenceId(JsonElement element, string name, string? expectedType = null) =>
        FhirReference.LogicalId(String(Object(element, name), "reference"), expectedType);

    public static bool IsDefined(JsonElement element) => element.ValueKind != JsonValueKind.Undefined;
}
