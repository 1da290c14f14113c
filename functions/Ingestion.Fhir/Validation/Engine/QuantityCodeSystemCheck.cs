using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// qty-3 (<c>code.empty() or system.exists()</c>) on every Quantity (and Age, Duration, SimpleQuantity…: about one per
/// vital sign), decided in one pass over the object's names instead of the cursor form's two navigations. Where the
/// table names <c>code</c> and <c>system</c> as plain elements, navigation yields each from the property and its
/// <c>_name</c> object, a JSON null being absent: the constraint fails only when a code is there and no system.
/// Anything else — untyped, either name not a plain element of the table, a name with an escape (it may spell one of
/// them), an array — answers null: the expression decides.
/// </summary>
internal static class QuantityCodeSystemCheck
{
    /// <summary>The R4 expression (on the Quantity type), the only text checked natively.</summary>
    public const string Expression = "code.empty() or system.exists()";

    /// <summary>The check, with its own resolutions of the two names per table (shared by the threads evaluating it).</summary>
    public static Func<FhirPathCursor, bool?> Create()
    {
        var code = new FhirPathStepCache("code");
        var system = new FhirPathStepCache("system");
        return quantity => quantity.Table is { } table && code.For(table).IsProperty && system.For(table).IsProperty ? Holds(quantity.Value) : null;
    }

    private static bool? Holds(ResourceElement quantity)
    {
        if (quantity.ValueKind != JsonValueKind.Object) return null;
        ResourceElement code = default, codeShadow = default, system = default, systemShadow = default;
        foreach (var property in quantity.EnumerateObject())
        {
            var raw = property.Utf8Name;
            if (raw.SequenceEqual("code"u8)) code = property.Value;
            else if (raw.SequenceEqual("system"u8)) system = property.Value;
            else if (raw.SequenceEqual("_code"u8)) codeShadow = property.Value;
            else if (raw.SequenceEqual("_system"u8)) systemShadow = property.Value;
            else if (raw.IndexOf((byte)'\\') >= 0) return null;
        }
        if (IsArray(code) || IsArray(codeShadow) || IsArray(system) || IsArray(systemShadow)) return null;
        return !Present(code, codeShadow) || Present(system, systemShadow);
    }

    private static bool IsArray(ResourceElement value) => value.ValueKind == JsonValueKind.Array;

    /// <summary>What navigation counts as one item: a value or a <c>_name</c> object that is neither absent nor null.</summary>
    private static bool Present(ResourceElement value, ResourceElement shadow) =>
        value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null) || shadow.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);
}
