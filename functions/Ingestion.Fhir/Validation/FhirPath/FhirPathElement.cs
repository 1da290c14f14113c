using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// A FHIR element in a FHIRPath collection: a JSON value (default when a primitive is present only through its
/// <c>_name</c> object), that object, the element's FHIR type code when the model knows it, the compiled children of
/// that type, and its parent (for <c>resolve()</c> within the resource and <c>%rootResource</c>).
/// </summary>
internal sealed class FhirPathElement
{
    public FhirPathElement(ResourceElement value, ResourceElement shadow, string? type, ChildTable? table, FhirPathElement? parent, string name)
    {
        Value = value;
        Shadow = shadow;
        Type = type;
        Table = table;
        Parent = parent;
        Name = name;
    }

    public ResourceElement Value { get; }
    public ResourceElement Shadow { get; }
    public string? Type { get; }
    public ChildTable? Table { get; }
    public FhirPathElement? Parent { get; }
    public string Name { get; }

    public bool IsResource => Value.ValueKind == JsonValueKind.Object && Value.TryGetProperty("resourceType"u8, out _) && Type is not null && FhirResourceTypes.IsKnown(Type);

    public bool HasPrimitiveValue => Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;

    /// <summary>The nearest resource at or above this element (the container of a contained resource's parent chain stops at the contained one).</summary>
    public FhirPathElement? Resource
    {
        get
        {
            for (var e = this; e is not null; e = e.Parent)
            {
                if (e.IsResource) return e;
            }
            return null;
        }
    }

    /// <summary>The container of a contained resource; otherwise <see cref="Resource"/>.</summary>
    public FhirPathElement? RootResource
    {
        get
        {
            var resource = Resource;
            while (resource is { Name: "contained", Parent: { } parent } && parent.Resource is { } container) resource = container;
            return resource;
        }
    }
}
