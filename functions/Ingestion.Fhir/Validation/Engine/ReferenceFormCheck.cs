using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// ref-1 (a local reference <c>#id</c> names a contained resource) on every Reference, decided without FHIRPath for
/// what nearly every reference is: a plain JSON string that does not start with <c>#</c>, for which the expression's
/// left operand <c>reference.startsWith('#').not()</c> is true and so is the whole; and a reference without any
/// (<c>identifier</c> or <c>display</c> only), for which both operands are empty and so is the whole: it passes. Given
/// <c>%rootResource</c>, a plain <c>#id</c> (Synthea's ExplanationOfBenefit points at its contained referral and
/// coverage that way) is looked up among its contained ids. Anything else (<c>#</c> alone, an escaped string, a
/// <c>_reference</c> object, an odd JSON shape) answers null: the expression decides.
/// </summary>
internal static class ReferenceFormCheck
{
    /// <summary>The R4 expression (on the Reference type), the only text checked natively.</summary>
    public const string Expression = "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))";

    public static bool? Holds(FhirPathCursor reference) => Holds(reference, default);

    /// <param name="reference">The Reference element.</param>
    /// <param name="rootResource">Its <c>%rootResource</c>, or default when not known (then <c>#id</c> answers null).</param>
    public static bool? Holds(FhirPathCursor reference, ResourceElement rootResource) => Holds(reference, rootResource, null);

    /// <summary>As <see cref="Holds(FhirPathCursor, ResourceElement)"/>, the root given as the walk's cursor on it: its names read once answer its <c>contained</c> lookup.</summary>
    public static bool? HoldsInRoot(FhirPathCursor reference, FhirPathCursor root) => Holds(reference, root.Value, root.Members);

    private static bool? Holds(FhirPathCursor reference, ResourceElement rootResource, FhirPathObjectIndex? rootMembers)
    {
        if (reference.Value.ValueKind != JsonValueKind.Object) return null;
        JsonProperties.Find(reference.Value, "reference"u8, "_reference"u8, out var value, out var shadow);
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null && shadow.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return true;
        if (value.ValueKind != JsonValueKind.String) return null;
        var raw = PrimitiveFormats.Unquote(value.RawUtf8);
        if (raw.IndexOf((byte)'\\') >= 0) return null;
        if (raw.Length == 0 || raw[0] != (byte)'#') return true;
        // The left operand is false: the whole is whether reference.substring(1) is among the contained ids ('#' alone
        // has no substring(1): left to the expression).
        return raw.Length > 1 && rootResource.ValueKind == JsonValueKind.Object ? NamesContained(raw[1..], rootResource, rootMembers) : null;
    }

    /// <summary>
    /// <c>id in %rootResource.contained.id</c>: true when a contained resource's id is that text, false when none is
    /// (also without contained resources: <c>in</c> an empty collection is false); null for shapes navigation reads
    /// differently (<c>contained</c> not an array, <c>_contained</c>, an item that is not an object, an id that is not
    /// a plain string or has a <c>_id</c>).
    /// </summary>
    private static bool? NamesContained(ReadOnlySpan<byte> id, ResourceElement root, FhirPathObjectIndex? rootMembers)
    {
        // The same lookups navigation makes (an escaped name is found too).
        JsonProperties.Find(root, rootMembers, "contained", "_contained", out var contained, out var containedShadow);
        if (containedShadow.ValueKind != JsonValueKind.Undefined) return null;
        if (contained.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return false;
        if (contained.ValueKind != JsonValueKind.Array) return null;
        var found = false;
        foreach (var item in contained.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Null) continue;
            if (item.ValueKind != JsonValueKind.Object) return null;
            JsonProperties.Find(item, "id"u8, "_id"u8, out var itemId, out var itemIdShadow);
            if (itemIdShadow.ValueKind != JsonValueKind.Undefined) return null;
            if (itemId.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) continue;
            if (itemId.ValueKind != JsonValueKind.String) return null;
            // String equality is ordinal: the unescaped id against the reference's bytes (plain, checked above).
            if (itemId.ValueEquals(id)) found = true;
        }
        return found;
    }
}
