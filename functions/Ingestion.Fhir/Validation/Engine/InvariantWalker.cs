using System.Text.Json;
using System.Text.RegularExpressions;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Evaluates the compiled constraints over a resource: at each element those of its profile element and of its data
/// type, at the root (and at each contained or Bundle-entry resource) those of the resource. A constraint fails when
/// its expression evaluates to false; an empty result is unknown and passes (ref-1 on a display-only reference gives
/// empty; the published examples and validators accept those). A failure raises an issue with the constraint's key as
/// the rule and the element's path as the location.
/// </summary>
internal sealed class InvariantWalker
{
    private readonly FhirPathModel _model;

    public InvariantWalker(FhirPathModel model) => _model = model;

    public void Validate(JsonElement resource, ChildTable root, ValidationContext context)
    {
        var element = _model.Resource(resource, null, "", root);
        Evaluate(root.Invariants, null, element, context);
        VisitChildren(element, root, context);
    }

    private void VisitChildren(FhirPathElement parent, ChildTable table, ValidationContext context)
    {
        if (parent.Value.ValueKind != JsonValueKind.Object) return;
        foreach (var property in parent.Value.EnumerateObject())
        {
            var name = property.Name;
            if (name == "resourceType") continue;
            if (name.StartsWith('_'))
            {
                if (parent.Value.TryGetProperty(name.AsSpan(1), out _)) continue; // visited with its value
                name = name[1..];
            }
            if (!table.ByJsonName.TryGetValue(name, out var entry)) continue; // unknown: the structure walk reports it
            var node = entry.Node;
            var slot = entry.Slot;
            if (node.Invariants is null && slot.TypeInvariants is null && !slot.IsResource && (node.Children ?? slot.Resolved) is null) continue;
            parent.Value.TryGetProperty(name, out var value);
            parent.Value.TryGetProperty("_" + name, out var shadow);
            if (value.ValueKind == JsonValueKind.Array || shadow.ValueKind == JsonValueKind.Array)
            {
                var count = FhirPathNavigator.AlignedCount(value, shadow);
                for (var i = 0; i < count; i++)
                    Visit(parent, name, i, node, slot, FhirPathNavigator.AlignedAt(value, i), FhirPathNavigator.AlignedAt(shadow, i), context);
            }
            else Visit(parent, name, -1, node, slot, value, shadow, context);
        }
    }

    private void Visit(FhirPathElement parent, string name, int index, ElementNode node, TypeSlot slot, JsonElement value, JsonElement shadow, ValidationContext context)
    {
        if (value.ValueKind == JsonValueKind.Null) value = default;
        if (shadow.ValueKind == JsonValueKind.Null) shadow = default;
        if (value.ValueKind == JsonValueKind.Undefined && shadow.ValueKind == JsonValueKind.Undefined) return;
        context.Push(name, index);
        if (slot.IsResource)
        {
            var resource = _model.Resource(value, parent, name);
            Evaluate(node.Invariants, null, resource, context);
            if (resource.Table is { } resourceTable)
            {
                Evaluate(resourceTable.Invariants, null, resource, context);
                VisitChildren(resource, resourceTable, context);
            }
        }
        else
        {
            var table = node.Children ?? slot.Resolved;
            var element = new FhirPathElement(value, shadow, FhirPathNavigator.TypeCode(slot.Code), table, parent, name);
            Evaluate(node.Invariants, slot.TypeInvariants, element, context);
            if (node.Slices is { } slices) EvaluateSlice(slices, value, element, context);
            if (table is not null) VisitChildren(element, table, context);
        }
        context.Pop();
    }

    /// <summary>The constraints of the first slice the item matches (the structure walk assigns items the same way).</summary>
    private void EvaluateSlice(SliceRule[] slices, JsonElement item, FhirPathElement element, ValidationContext context)
    {
        foreach (var slice in slices)
        {
            if (!slice.Evaluable || !ResourceWalker.Matches(slice, item)) continue;
            if (slice.Node.Invariants is { } invariants) Evaluate(invariants, element, context);
            return;
        }
    }

    private void Evaluate(CompiledInvariant[]? own, CompiledInvariant[]? ofType, FhirPathElement element, ValidationContext context)
    {
        if (own is not null) Evaluate(own, element, context);
        if (ofType is not null) Evaluate(ofType, element, context);
    }

    private void Evaluate(CompiledInvariant[] invariants, FhirPathElement element, ValidationContext context)
    {
        foreach (var invariant in invariants)
        {
            bool? holds;
            try
            {
                holds = invariant.Native is { } native ? native(element) : invariant.Expression.EvaluateBoolean(_model, element);
            }
            catch (FhirPathException e)
            {
                // The messages name the construct only (no values): safe to report.
                context.Add(invariant.Severity, "invariant", invariant.Key, $"Constraint {invariant.Key} could not be evaluated here: {e.Message}");
                continue;
            }
            catch (RegexMatchTimeoutException)
            {
                context.Add(invariant.Severity, "invariant", invariant.Key, $"Constraint {invariant.Key} could not be evaluated here: a regular expression timed out.");
                continue;
            }
            if (holds == false) context.Add(invariant.Severity, "invariant", invariant.Key, invariant.Message);
        }
    }
}
