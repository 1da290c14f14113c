using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// What the engine knows about FHIR: the compiled element tables of resource types (for element types, choice
/// elements and <c>ofType</c>) and the enumerable value sets (for <c>memberOf</c>). Immutable; shared by all evaluations.
/// </summary>
internal sealed class FhirPathModel
{
    private readonly Func<string, ChildTable?> _resourceTable;
    private readonly Func<string, CompiledCodeSet?> _valueSet;

    public FhirPathModel(Func<string, ChildTable?> resourceTable, Func<string, CompiledCodeSet?> valueSet)
    {
        _resourceTable = resourceTable;
        _valueSet = valueSet;
    }

    /// <summary>A model without definitions: navigation by JSON names only, no value sets.</summary>
    public static FhirPathModel Untyped { get; } = new(_ => null, _ => null);

    public ChildTable? ResourceTable(string type) => _resourceTable(type);

    public CompiledCodeSet? ValueSet(string url) => _valueSet(url);

    /// <summary>A resource (root or nested) as an element, typed by its resourceType.</summary>
    public FhirPathElement Resource(ResourceElement resource, FhirPathElement? parent, string name, ChildTable? table = null)
    {
        var type = TypeOf(resource);
        return new FhirPathElement(resource, default, type, table ?? (type is null ? null : _resourceTable(type)), parent, name);
    }

    /// <summary>A nested resource as a cursor (for counting paths without materialising elements).</summary>
    public FhirPathCursor ResourceCursor(ResourceElement resource)
    {
        var type = TypeOf(resource);
        return new FhirPathCursor(resource, default, type, type is null ? null : _resourceTable(type));
    }

    /// <summary>The resourceType (interned when it is an R4 type, so nothing is allocated per resource).</summary>
    private static string? TypeOf(ResourceElement resource)
    {
        if (resource.ValueKind != JsonValueKind.Object || !resource.TryGetProperty("resourceType"u8, out var rt) || rt.ValueKind != JsonValueKind.String) return null;
        if (FhirResourceTypes.TryGet(rt, out var known)) return known;
        try
        {
            return rt.GetString();
        }
        catch (InvalidOperationException)
        {
            return null; // not valid Unicode: no type
        }
    }
}
