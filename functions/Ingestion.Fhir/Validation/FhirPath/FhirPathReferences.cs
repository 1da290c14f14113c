using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// <c>resolve()</c> without a server: <c>#id</c> (and <c>#</c>) against the contained resources of the root
/// resource; <c>Type/id</c> against the resource itself, its contained resources and, in a Bundle, the entries
/// (by fullUrl or Type/id). Anything else cannot be resolved here and yields nothing.
/// </summary>
internal static class FhirPathReferences
{
    public static IReadOnlyList<object> Resolve(FhirPathScope scope, IReadOnlyList<object> items)
    {
        if (items.Count == 0) return FhirPathCompiler.Empty;
        List<object>? output = null;
        foreach (var item in items)
        {
            if (item is not FhirPathElement e) continue;
            string? reference = null;
            if (e.Value.ValueKind == JsonValueKind.String) reference = e.Value.GetString();
            else if (e.Value.ValueKind == JsonValueKind.Object && e.Value.TryGetProperty("reference"u8, out var r) && r.ValueKind == JsonValueKind.String) reference = r.GetString();
            if (reference is null) continue;
            if (Find(scope, e, reference) is { } found) (output ??= []).Add(found);
        }
        return output ?? FhirPathCompiler.Empty;
    }

    private static FhirPathElement? Find(FhirPathScope scope, FhirPathElement from, string reference)
    {
        var root = from.RootResource ?? scope.RootResource;
        if (root is null) return null;
        if (reference.StartsWith('#'))
        {
            if (reference.Length == 1) return root;
            return Contained(scope, root, id => id == reference[1..]);
        }
        if (Matches(root, reference)) return root;
        if (Contained(scope, root, _ => false, reference) is { } contained) return contained;
        // A Bundle: the reference names an entry by fullUrl or Type/id.
        for (var e = root.Parent; e is not null; e = e.Parent)
        {
            if (e is { IsResource: true, Type: "Bundle" }) return BundleEntry(scope, e, reference);
        }
        return root.Type == "Bundle" ? BundleEntry(scope, root, reference) : null;
    }

    private static FhirPathElement? Contained(FhirPathScope scope, FhirPathElement root, Func<string, bool> byId, string? reference = null)
    {
        if (!root.Value.TryGetProperty("contained"u8, out var contained) || contained.ValueKind != JsonValueKind.Array) return null;
        foreach (var item in contained.EnumerateArray())
        {
            var element = scope.Model.Resource(item, root, "contained");
            if (item.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String && byId(id.GetString()!)) return element;
            if (reference is not null && Matches(element, reference)) return element;
        }
        return null;
    }

    private static FhirPathElement? BundleEntry(FhirPathScope scope, FhirPathElement bundle, string reference)
    {
        if (!bundle.Value.TryGetProperty("entry"u8, out var entries) || entries.ValueKind != JsonValueKind.Array) return null;
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("resource"u8, out var resource)) continue;
            var fullUrlMatches = entry.TryGetProperty("fullUrl"u8, out var fullUrl) && fullUrl.ValueKind == JsonValueKind.String && fullUrl.ValueEquals(reference);
            var element = scope.Model.Resource(resource, bundle, "resource");
            if (fullUrlMatches || Matches(element, reference)) return element;
        }
        return null;
    }

    /// <summary>"Type/id", optionally after a base URL and before "/_history/v".</summary>
    private static bool Matches(FhirPathElement resource, string reference)
    {
        if (resource.Type is not { } type || !resource.Value.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.String) return false;
        var history = reference.IndexOf("/_history/", StringComparison.Ordinal);
        if (history >= 0) reference = reference[..history];
        var expected = type + "/" + id.GetString();
        return reference == expected || reference.EndsWith("/" + expected, StringComparison.Ordinal);
    }
}
