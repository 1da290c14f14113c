using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>Exact comparison of JSON values (FHIRPath equality of two elements), on raw bytes, without allocating; a profile's fixed and pattern values are compared by <see cref="CompiledJsonValue"/>.</summary>
internal static class JsonValues
{
    public static ResourceElement String(string value)
    {
        using var document = ResourceDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(value));
        return document.RootElement.Clone();
    }

    /// <summary>Exact equality (FHIR fixed[x] semantics): same properties, same array items in order.</summary>
    public static bool EqualsExactly(ResourceElement expected, ResourceElement instance)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                if (instance.ValueKind != JsonValueKind.Object) return false;
                var count = 0;
                foreach (var property in expected.EnumerateObject())
                {
                    count++;
                    if (!instance.TryGetProperty(property.Utf8Name, out var value) || !EqualsExactly(property.Value, value)) return false;
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

    private static bool PrimitiveEquals(ResourceElement expected, ResourceElement instance)
    {
        if (expected.ValueKind != instance.ValueKind) return false;
        if (expected.ValueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null) return true;
        if (expected.ValueKind == JsonValueKind.String) return instance.ValueEquals(PrimitiveFormats.Unquote(expected.RawUtf8));
        return expected.RawUtf8.SequenceEqual(instance.RawUtf8);
    }
}
