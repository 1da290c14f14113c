using Ingestion.Fhir.Json;
using System.IO.Hashing;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// What <c>%rootResource.contained.id</c> (ref-1, on every Reference) sees of a resource, as a 128-bit hash for the
/// clean-subtree memo's keys (<see cref="SubtreeDependency.ContainedIds"/>): each contained resource's
/// <c>resourceType</c> and <c>id</c> as written, in order; zero when the resource has no <c>contained</c>. Every
/// Synthea ExplanationOfBenefit contains the same two (<c>referral</c>, <c>coverage</c>), so its references are
/// remembered across resources. A shape the hash would not capture exactly (escaped or <c>_</c> names, a repeated
/// <c>contained</c> or <c>id</c>, an item that is not an object, an <c>id</c> that is not a string) answers false:
/// no memo for such contexts in that resource.
/// </summary>
internal static class ContainedIds
{
    /// <param name="root">The resource's root names when read already (all plain): the same scan without the JSON's enumeration.</param>
    /// <param name="hasher">The caller's hasher, reset here: one per validation context rather than one per resource.</param>
    public static bool TryHash(ResourceElement resource, FhirPathObjectIndex? root, XxHash128 hasher, out UInt128 hash)
    {
        hash = default;
        var contained = default(ResourceElement);
        if (root is { Usable: true })
        {
            for (var i = 0; i < root.Count; i++)
            {
                var raw = root.Name(i);
                if (raw.SequenceEqual("_contained"u8)) return false;
                if (!raw.SequenceEqual("contained"u8)) continue;
                if (contained.ValueKind != JsonValueKind.Undefined) return false;
                contained = root.Value(i);
            }
        }
        else
        {
            foreach (var property in resource.EnumerateObject())
            {
                var raw = property.Utf8Name;
                if (!JsonProperties.IsPlain(raw) || raw.SequenceEqual("_contained"u8)) return false;
                if (!raw.SequenceEqual("contained"u8)) continue;
                if (contained.ValueKind != JsonValueKind.Undefined) return false;
                contained = property.Value;
            }
        }
        if (contained.ValueKind == JsonValueKind.Undefined) return true;
        if (contained.ValueKind != JsonValueKind.Array) return false;
        hasher.Reset();
        foreach (var item in contained.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) return false;
            ResourceElement type = default, id = default;
            foreach (var property in item.EnumerateObject())
            {
                var raw = property.Utf8Name;
                if (!JsonProperties.IsPlain(raw) || raw.SequenceEqual("_id"u8)) return false;
                if (raw.SequenceEqual("id"u8))
                {
                    if (id.ValueKind != JsonValueKind.Undefined || property.Value.ValueKind != JsonValueKind.String) return false;
                    id = property.Value;
                }
                else if (raw.SequenceEqual("resourceType"u8)) type = property.Value;
            }
            // Raw JSON tokens, quotes included, one after the other: the sequence reads back unambiguously.
            hasher.Append(type.ValueKind == JsonValueKind.Undefined ? "-"u8 : type.RawUtf8);
            hasher.Append(id.ValueKind == JsonValueKind.Undefined ? "-"u8 : id.RawUtf8);
        }
        hash = hasher.GetCurrentHashAsUInt128() | 1; // never zero, which stands for "no contained"
        return true;
    }
}
