using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>Reads a StructureDefinition resource (JSON) into a <see cref="ProfileDefinition"/> from its snapshot.</summary>
public static class StructureDefinitionReader
{
    private const string FhirTypeExtension = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";

    /// <summary>Null when the definition has no snapshot (nothing to compile).</summary>
    public static ProfileDefinition? Read(ResourceElement sd)
    {
        if (!sd.TryGetProperty("snapshot", out var snapshot) || !snapshot.TryGetProperty("element", out var elements)) return null;
        var url = sd.GetProperty("url").GetString()!;
        var id = sd.TryGetProperty("id", out var idElement) ? idElement.GetString()! : url[(url.LastIndexOf('/') + 1)..];
        var type = sd.GetProperty("type").GetString()!;
        var kind = sd.TryGetProperty("kind", out var k) ? k.GetString()! : "resource";
        var baseDefinition = sd.TryGetProperty("baseDefinition", out var b) ? b.GetString() : null;
        var isConstraint = sd.TryGetProperty("derivation", out var d) && d.GetString() == "constraint";
        var rules = new List<ElementRule>();
        foreach (var element in elements.EnumerateArray()) rules.Add(ReadElement(element));
        return new ProfileDefinition(url, id, type, kind, baseDefinition, isConstraint, rules);
    }

    private static ElementRule ReadElement(ResourceElement e)
    {
        var path = e.GetProperty("path").GetString()!;
        var id = e.TryGetProperty("id", out var idEl) ? idEl.GetString()! : path;
        var sliceName = e.TryGetProperty("sliceName", out var s) ? s.GetString() : null;
        var min = e.TryGetProperty("min", out var mi) ? mi.GetInt32() : 0;
        var max = e.TryGetProperty("max", out var ma) ? ma.GetString()! : "*";
        // JSON arrays follow the base cardinality, whatever a profile narrows max to.
        var baseMax = e.TryGetProperty("base", out var baseEl) && baseEl.TryGetProperty("max", out var bm) ? bm.GetString()! : max;
        var types = new List<TypeRule>();
        if (e.TryGetProperty("type", out var typeArray))
        {
            foreach (var t in typeArray.EnumerateArray()) types.Add(ReadType(t));
        }

        ResourceElement? fixedValue = null, patternValue = null;
        foreach (var property in e.EnumerateObject())
        {
            if (property.Name.StartsWith("fixed", StringComparison.Ordinal)) fixedValue = property.Value.Clone();
            else if (property.Name.StartsWith("pattern", StringComparison.Ordinal)) patternValue = property.Value.Clone();
        }

        BindingRule? binding = null;
        if (e.TryGetProperty("binding", out var bindingEl))
        {
            var valueSet = bindingEl.TryGetProperty("valueSet", out var vs) ? vs.GetString() : null;
            binding = new BindingRule(bindingEl.GetProperty("strength").GetString()!, valueSet);
        }

        SlicingRule? slicing = null;
        if (e.TryGetProperty("slicing", out var slicingEl))
        {
            var discriminators = new List<DiscriminatorRule>();
            if (slicingEl.TryGetProperty("discriminator", out var ds))
            {
                foreach (var disc in ds.EnumerateArray())
                    discriminators.Add(new DiscriminatorRule(disc.GetProperty("type").GetString()!, disc.GetProperty("path").GetString()!));
            }
            slicing = new SlicingRule(discriminators, slicingEl.TryGetProperty("rules", out var r) ? r.GetString()! : "open");
        }

        var mustSupport = e.TryGetProperty("mustSupport", out var msEl) && msEl.ValueKind == JsonValueKind.True;
        var contentReference = e.TryGetProperty("contentReference", out var cr) ? cr.GetString() : null;
        var constraintRules = new List<ConstraintRule>();
        if (e.TryGetProperty("constraint", out var constraints))
        {
            foreach (var c in constraints.EnumerateArray())
            {
                if (!c.TryGetProperty("key", out var key)) continue;
                constraintRules.Add(new ConstraintRule(
                    key.GetString()!,
                    c.TryGetProperty("severity", out var severity) ? severity.GetString()! : "error",
                    c.TryGetProperty("expression", out var expression) ? expression.GetString() : null,
                    c.TryGetProperty("human", out var human) ? human.GetString() : null,
                    IsBestPractice(c)));
            }
        }
        return new ElementRule(id, path, sliceName, min, max, baseMax, types, fixedValue, patternValue, binding, slicing, mustSupport, contentReference, constraintRules);
    }

    private static bool IsBestPractice(ResourceElement constraint)
    {
        if (!constraint.TryGetProperty("extension", out var extensions) || extensions.ValueKind != JsonValueKind.Array) return false;
        foreach (var extension in extensions.EnumerateArray())
        {
            if (extension.TryGetProperty("url", out var url) && url.ValueEquals("http://hl7.org/fhir/StructureDefinition/elementdefinition-bestpractice")
                && extension.TryGetProperty("valueBoolean", out var value) && value.ValueKind == JsonValueKind.True) return true;
        }
        return false;
    }

    private static TypeRule ReadType(ResourceElement t)
    {
        var code = t.GetProperty("code").GetString()!;
        if (code.StartsWith("http://hl7.org/fhirpath/System.", StringComparison.Ordinal) && t.TryGetProperty("extension", out var extensions))
        {
            // The R4 snapshots give id/url elements a FHIRPath system type and name the FHIR type in an extension.
            foreach (var ext in extensions.EnumerateArray())
            {
                if (ext.TryGetProperty("url", out var u) && u.GetString() == FhirTypeExtension)
                {
                    if (ext.TryGetProperty("valueUrl", out var v) || ext.TryGetProperty("valueUri", out v)) code = v.GetString()!;
                }
            }
        }
        return new TypeRule(code, ReadStrings(t, "profile"), ReadStrings(t, "targetProfile"));
    }

    private static IReadOnlyList<string> ReadStrings(ResourceElement e, string name)
    {
        if (!e.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array) return [];
        var list = new List<string>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray()) list.Add(item.GetString()!);
        return list;
    }
}
