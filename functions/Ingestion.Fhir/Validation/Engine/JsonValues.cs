using System.Runtime.InteropServices;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>Fixed (exact) and pattern (subset) comparison of JSON values, on raw bytes, without allocating.</summary>
internal static class JsonValues
{
    public static JsonElement String(string value)
    {
        using var document = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(value));
        return document.RootElement.Clone();
    }

    /// <summary>Every property/array item of the pattern is present in the instance (FHIR pattern[x] semantics).</summary>
    public static bool MatchesPattern(JsonElement pattern, JsonElement instance)
    {
        switch (pattern.ValueKind)
        {
            case JsonValueKind.Object:
                if (instance.ValueKind != JsonValueKind.Object) return false;
                foreach (var property in pattern.EnumerateObject())
                {
                    if (!instance.TryGetProperty(JsonMarshal.GetRawUtf8PropertyName(property), out var value) || !MatchesPattern(property.Value, value)) return false;
                }
                return true;
            case JsonValueKind.Array:
                if (instance.ValueKind != JsonValueKind.Array) return false;
                foreach (var wanted in pattern.EnumerateArray())
                {
                    var found = false;
                    foreach (var item in instance.EnumerateArray())
                    {
                        if (MatchesPattern(wanted, item))
                        {
                            found = true;
                            break;
                        }
                    }
                    if (!found) return false;
                }
                return true;
            default:
                return PrimitiveEquals(pattern, instance);
        }
    }

    /// <summary>Exact equality (FHIR fixed[x] semantics): same properties, same array items in order.</summary>
    public static bool EqualsExactly(JsonElement expected, JsonElement instance)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                if (instance.ValueKind != JsonValueKind.Object) return false;
                var count = 0;
                foreach (var property in expected.EnumerateObject())
                {
                    count++;
                    if (!instance.TryGetProperty(JsonMarshal.GetRawUtf8PropertyName(property), out var value) || !EqualsExactly(property.Value, value)) return false;
                }
                foreach (var _ in instance.EnumerateObject()) count--;
                return count == 0;
            case JsonValueKind.Array:
                if (instance.ValueKind != JsonValueKind.Array || instance.GetArrayLength() != expected.GetArrayLength()) return false;
                var i = 0;
                foreach (var item in expected.EnumerateArray())
                {
                    if (!EqualsExactly(item, instance[i++])) return false;
                }
                return true;
            default:
                return PrimitiveEquals(expected, instance);
        }
    }

    private static bool PrimitiveEquals(JsonElement expected, JsonElement instance)
    {
        if (expected.ValueKind != instance.ValueKind) return false;
        if (expected.ValueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null) return true;
        if (expected.ValueKind == JsonValueKind.String) return instance.ValueEquals(PrimitiveFormats.Unquote(JsonMarshal.GetRawUtf8Value(expected)));
        return JsonMarshal.GetRawUtf8Value(expected).SequenceEqual(JsonMarshal.GetRawUtf8Value(instance));
    }
}
