using System.Runtime.InteropServices;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// ref-1 (a local reference <c>#id</c> names a contained resource) on every Reference, decided without FHIRPath for
/// what nearly every reference is: a plain JSON string that does not start with <c>#</c>, for which the expression's
/// left operand <c>reference.startsWith('#').not()</c> is true and so is the whole; and a reference without any
/// (<c>identifier</c> or <c>display</c> only), for which both operands are empty and so is the whole: it passes. Anything
/// else (a <c>#</c> reference, an escaped string, a <c>_reference</c> object, an odd JSON shape) answers null: the
/// expression decides.
/// </summary>
internal static class ReferenceFormCheck
{
    /// <summary>The R4 expression (on the Reference type), the only text checked natively.</summary>
    public const string Expression = "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))";

    public static bool? Holds(FhirPathCursor reference)
    {
        if (reference.Value.ValueKind != JsonValueKind.Object) return null;
        JsonProperties.Find(reference.Value, "reference", "_reference", out var value, out var shadow);
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null && shadow.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return true;
        if (value.ValueKind != JsonValueKind.String) return null;
        var raw = PrimitiveFormats.Unquote(JsonMarshal.GetRawUtf8Value(value));
        if (raw.IndexOf((byte)'\\') >= 0) return null;
        return raw.Length == 0 || raw[0] != (byte)'#' ? true : null;
    }
}
