using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// Member navigation over the JSON tree: <c>name</c> finds the property (and its <c>_name</c> primitive extension),
/// or the one present type of the choice element <c>name[x]</c>; types come from the compiled element tables when
/// the parent's type is known, otherwise from the JSON (choice suffixes).
/// </summary>
internal static class FhirPathNavigator
{
    private const string SystemTypePrefix = "http://hl7.org/fhirpath/System.";

    /// <summary>Adds the children named <paramref name="name"/> (none when the parent's type has no such element).</summary>
    public static void Children(FhirPathModel model, FhirPathElement parent, string name, List<object> output)
    {
        if (parent.Value.ValueKind != JsonValueKind.Object)
        {
            // A primitive's id and extensions live in its _name object.
            if (parent.Shadow.ValueKind == JsonValueKind.Object) AddProperty(model, parent, parent.Shadow, name, name == "extension" ? "Extension" : null, null, output);
            return;
        }
        if (parent.Table is { } table)
        {
            if (table.ByJsonName.TryGetValue(name, out var entry) && !entry.Node.IsChoice)
            {
                AddProperty(model, parent, name, TypeCode(entry.Slot.Code), entry.Node.Children ?? entry.Slot.Resolved, output);
                return;
            }
            foreach (var node in table.Elements)
            {
                if (!node.IsChoice || node.Name.Length != name.Length + 3 || !node.Name.StartsWith(name, StringComparison.Ordinal)) continue;
                foreach (var slot in node.Types)
                {
                    if (parent.Value.TryGetProperty(slot.JsonName, out _) || parent.Value.TryGetProperty("_" + slot.JsonName, out _))
                        AddProperty(model, parent, slot.JsonName, TypeCode(slot.Code), slot.Resolved, output);
                }
                return;
            }
            if (table.ByJsonName.TryGetValue(name, out entry))
            {
                AddProperty(model, parent, name, TypeCode(entry.Slot.Code), entry.Node.Children ?? entry.Slot.Resolved, output);
                return;
            }
            return;
        }

        if (parent.Value.TryGetProperty(name, out _) || parent.Value.TryGetProperty("_" + name, out _))
        {
            AddProperty(model, parent, name, null, null, output);
            return;
        }
        // Untyped: a choice element is the property named name + a type suffix.
        foreach (var property in parent.Value.EnumerateObject())
        {
            var n = property.Name;
            if (n.Length > name.Length && n.StartsWith(name, StringComparison.Ordinal) && char.IsAsciiLetterUpper(n[name.Length]))
            {
                var suffix = n[name.Length..];
                var primitive = char.ToLowerInvariant(suffix[0]) + suffix[1..];
                AddProperty(model, parent, n, FhirPathValues.IsPrimitiveType(primitive) ? primitive : suffix, null, output);
                return;
            }
        }
        return;
    }

    /// <summary>All child elements (for <c>children()</c>/<c>descendants()</c>).</summary>
    public static void AllChildren(FhirPathModel model, FhirPathElement parent, List<object> output)
    {
        if (parent.Value.ValueKind != JsonValueKind.Object)
        {
            // A primitive's children are the id and extensions of its _name object.
            if (parent.Shadow.ValueKind != JsonValueKind.Object) return;
            foreach (var property in parent.Shadow.EnumerateObject())
                AddProperty(model, parent, parent.Shadow, property.Name, property.Name == "extension" ? "Extension" : null, null, output);
            return;
        }
        foreach (var property in parent.Value.EnumerateObject())
        {
            var name = property.Name;
            if (name == "resourceType") continue;
            if (name.StartsWith('_'))
            {
                if (parent.Value.TryGetProperty(name[1..], out _)) continue;
                name = name[1..];
            }
            if (parent.Table is { } table && table.ByJsonName.TryGetValue(name, out var entry))
                AddProperty(model, parent, name, TypeCode(entry.Slot.Code), entry.Node.Children ?? entry.Slot.Resolved, output);
            else
                AddProperty(model, parent, name, null, null, output);
        }
    }

    /// <summary>Items of a repeating primitive: the values and the <c>_name</c> array are aligned by index, either may be shorter.</summary>
    internal static int AlignedCount(JsonElement value, JsonElement shadow) =>
        Math.Max(value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : 0, shadow.ValueKind == JsonValueKind.Array ? shadow.GetArrayLength() : 0);

    internal static JsonElement AlignedAt(JsonElement array, int index) =>
        array.ValueKind == JsonValueKind.Array && index < array.GetArrayLength() ? array[index] : default;

    /// <summary>A type code of an element definition as a FHIR type name (System.String → string).</summary>
    internal static string? TypeCode(string code) => code.StartsWith(SystemTypePrefix, StringComparison.Ordinal)
        ? code[SystemTypePrefix.Length..] switch
        {
            "String" => "string",
            "Boolean" => "boolean",
            "Integer" => "integer",
            "Decimal" => "decimal",
            "Date" => "date",
            "DateTime" => "dateTime",
            "Time" => "time",
            _ => null,
        }
        : code;

    private static void AddProperty(FhirPathModel model, FhirPathElement parent, string jsonName, string? type, ChildTable? table, List<object> output) =>
        AddProperty(model, parent, parent.Value, jsonName, type, table, output);

    private static void AddProperty(FhirPathModel model, FhirPathElement parent, JsonElement obj, string jsonName, string? type, ChildTable? table, List<object> output)
    {
        obj.TryGetProperty(jsonName, out var value);
        obj.TryGetProperty("_" + jsonName, out var shadow);
        if (value.ValueKind == JsonValueKind.Array || shadow.ValueKind == JsonValueKind.Array)
        {
            var count = AlignedCount(value, shadow);
            for (var i = 0; i < count; i++) Add(model, parent, jsonName, type, table, AlignedAt(value, i), AlignedAt(shadow, i), output);
            return;
        }
        Add(model, parent, jsonName, type, table, value, shadow, output);
    }

    private static void Add(FhirPathModel model, FhirPathElement parent, string name, string? type, ChildTable? table, JsonElement value, JsonElement shadow, List<object> output)
    {
        if (value.ValueKind == JsonValueKind.Null) value = default;
        if (shadow.ValueKind == JsonValueKind.Null) shadow = default;
        if (value.ValueKind == JsonValueKind.Undefined && shadow.ValueKind == JsonValueKind.Undefined) return;
        if (value.ValueKind == JsonValueKind.Object && (type is null or "Resource" || value.TryGetProperty("resourceType"u8, out _)) && value.TryGetProperty("resourceType"u8, out _))
        {
            output.Add(model.Resource(value, parent, name));
            return;
        }
        output.Add(new FhirPathElement(value, shadow, type, table, parent, name));
    }
}
