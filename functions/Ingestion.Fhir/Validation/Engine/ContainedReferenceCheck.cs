using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// dom-3 (every contained resource is referenced from elsewhere in the resource, or refers to its container with
/// <c>'#'</c>) in one pass over the JSON instead of <c>%resource.descendants()</c> as FHIRPath elements: the R4 form
/// cost Claim and ExplanationOfBenefit most of their validation time (issue #16/#19). A resource without
/// <c>contained</c> passes without a walk.
/// <para>
/// Exact for what a resource normally carries: a contained resource's <c>'#id'</c> can only equal a value that starts
/// with <c>#</c>, so only such string values matter. One held by a property named <c>reference</c> (FHIRPath's
/// <c>descendants().reference</c> navigates by name, whatever the type) is compared natively. Any other one (a
/// canonical/uri/url-typed value, which the expression counts through <c>as()</c>, or a string it does not count)
/// would need the element's type, so the check answers null and the caller evaluates the FHIRPath form, as it does
/// for shapes the expression treats specially (a contained item without a string id, <c>reference</c> as an array or
/// on a resource's own root).
/// </para>
/// </summary>
internal static class ContainedReferenceCheck
{
    /// <summary>The R4 expression (also in every US Core snapshot), the only text checked natively.</summary>
    public const string Expression = "contained.where((('#'+id in (%resource.descendants().reference | %resource.descendants().as(canonical) | %resource.descendants().as(uri) | %resource.descendants().as(url))) or descendants().where(reference = '#').exists() or descendants().where(as(canonical) = '#').exists() or descendants().where(as(canonical) = '#').exists()).not()).trace('unmatched', id).empty()";

    /// <summary>True: every contained resource is referenced; false: one is not; null: evaluate the expression.</summary>
    public static bool? Holds(FhirPathCursor resource)
    {
        var root = resource.Value;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("contained"u8, out var contained)) return true;
        if (contained.ValueKind != JsonValueKind.Array) return null;
        var count = contained.GetArrayLength();
        if (count == 0) return true;
        if (EveryIdReferenced(root, contained)) return true;

        var references = new List<HashReference>();
        if (!Collect(root, level: 0, containedIndex: -1, references)) return null;

        var index = 0;
        foreach (var item in contained.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.String) return null;
            if (!IsReferenced(references, "#" + id.GetString(), index)) return false;
            index++;
        }
        return true;
    }

    /// <summary>
    /// The common case found without a walk: each contained resource's plain id written in the resource's bytes as a
    /// property <c>"reference":"#id"</c> (the property starting right after <c>{</c> or <c>,</c>, so it is a name token,
    /// not text inside a string). The walk below would collect that value too: it is not on the root's own level nor on
    /// a contained resource's own level, since neither has a <c>reference</c> property (checked). Anything else (an
    /// id with an escape, a reference written with spaces or escapes, one to be told apart by the walk) falls back to it.
    /// </summary>
    private static bool EveryIdReferenced(ResourceElement root, ResourceElement contained)
    {
        if (root.TryGetProperty("reference"u8, out _)) return false;
        var bytes = root.RawUtf8;
        Span<byte> value = stackalloc byte[64];
        value[0] = (byte)'#';
        foreach (var item in contained.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || item.TryGetProperty("reference"u8, out _)
                || !item.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.String) return false;
            var quoted = id.RawUtf8; // "id", quotes included: the closing one ends the value
            if (quoted.Length > value.Length || quoted.IndexOf((byte)'\\') >= 0) return false;
            quoted[1..].CopyTo(value[1..]);
            if (!ContainsReference(bytes, value[..quoted.Length])) return false;
        }
        return true;
    }

    /// <summary>
    /// Whether <c>{"reference":"</c> or <c>,"reference":"</c> precedes an occurrence of <paramref name="value"/>
    /// (<c>#id"</c>): searched from its <c>#</c>, rare in JSON, then the name before it compared.
    /// </summary>
    private static bool ContainsReference(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> value)
    {
        var name = "\"reference\":\""u8;
        var offset = 0;
        while (bytes[offset..].IndexOf(value) is var at and >= 0)
        {
            var start = offset + at;
            if (start > name.Length && bytes[(start - name.Length)..start].SequenceEqual(name) && bytes[start - name.Length - 1] is (byte)'{' or (byte)',') return true;
            offset = start + 1;
        }
        return false;
    }

    private static bool IsReferenced(List<HashReference> references, string target, int containedIndex)
    {
        foreach (var r in references)
        {
            // '#id' anywhere below the container's root, or '#' (the container) below the contained resource's own root.
            if (r.Value.ValueEquals(target)) return true;
            if (r.ContainedIndex == containedIndex && r.Level >= 3 && r.Value.ValueEquals("#")) return true;
        }
        return false;
    }

    /// <summary>
    /// Collects the <c>reference</c> values that start with '#' below <paramref name="element"/>; false when a value
    /// the native form cannot judge exactly is present. Levels count objects from the container's root (its
    /// properties are level 1; a contained resource's properties level 2).
    /// </summary>
    private static bool Collect(ResourceElement element, int level, int containedIndex, List<HashReference> references)
    {
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            var propertyLevel = level + 1;
            // The name matters only for a '#' value or an array: not compared for the other properties.
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    if (!StartsLikeHash(value)) break;
                    // The root's own reference is no descendant; a contained resource's own one counts for '#id' but
                    // for '#' only through its type: both left to the expression.
                    if (!property.NameEquals("reference"u8) || propertyLevel < 2 || (propertyLevel == 2 && containedIndex >= 0)) return false;
                    references.Add(new HashReference(value, containedIndex, propertyLevel));
                    break;
                case JsonValueKind.Object:
                    if (CannotHoldHash(value)) break;
                    if (!Collect(value, propertyLevel, ContainedIndexOf(property, level, containedIndex, -1), references)) return false;
                    break;
                case JsonValueKind.Array:
                    if (CannotHoldHash(value)) break;
                    if (property.NameEquals("reference"u8)) return false;
                    var i = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.Object)
                        {
                            if (!Collect(item, propertyLevel, ContainedIndexOf(property, level, containedIndex, i), references)) return false;
                        }
                        else if (item.ValueKind == JsonValueKind.String && StartsLikeHash(item)) return false;
                        i++;
                    }
                    break;
            }
        }
        return true;
    }

    /// <summary>
    /// A subtree whose bytes hold neither '#' nor an escape has no value the expression could match with <c>'#'+id</c>
    /// or <c>'#'</c> (whatever its names and types): it is skipped with one vectorized search instead of walked. An
    /// EOB's items and adjudications, most of its bytes, are such subtrees.
    /// </summary>
    private static bool CannotHoldHash(ResourceElement value) => value.RawUtf8.IndexOfAny((byte)'#', (byte)'\\') < 0;

    /// <summary>The item of the root's <c>contained</c> array a subtree belongs to (-1: none).</summary>
    private static int ContainedIndexOf(ResourceProperty property, int level, int containedIndex, int item) =>
        level == 0 && property.NameEquals("contained"u8) ? item : containedIndex;

    /// <summary>'#' as written, or an escape (which might be one): read from the raw bytes, no string per value.</summary>
    private static bool StartsLikeHash(ResourceElement value)
    {
        var raw = value.RawUtf8;
        return raw.Length > 1 && raw[1] is (byte)'#' or (byte)'\\';
    }

    private readonly record struct HashReference(ResourceElement Value, int ContainedIndex, int Level);
}
