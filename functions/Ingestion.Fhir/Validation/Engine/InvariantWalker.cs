using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Evaluates the compiled constraints over a resource: at each element those of its profile element and of its data
/// type, at the root (and at each contained or Bundle-entry resource) those of the resource. A constraint fails when
/// its expression evaluates to false; an empty result is unknown and passes (ref-1 on a display-only reference gives
/// empty; the published examples and validators accept those). A failure raises an issue with the constraint's key as
/// the rule and the element's path as the location. Only present elements are visited (a constraint whose element is
/// absent is not evaluated), only subtrees with constraints are descended, and an element becomes a
/// <see cref="FhirPathElement"/> only when an expression needs it (<see cref="InvariantWalkState"/>).
/// </summary>
internal sealed class InvariantWalker
{
    private readonly FhirPathModel _model;

    public InvariantWalker(FhirPathModel model) => _model = model;

    public void Validate(JsonElement resource, ChildTable root, ValidationContext context)
    {
        var state = context.InvariantState ??= new InvariantWalkState(_model);
        state.Clear();
        var element = _model.Resource(resource, null, "", root);
        var index = state.Push(new FhirPathCursor(resource, default, element.Type, root), -1, "", element);
        if (context.Memo is { } memo)
            memo.ContainedIdsHash = (state.Shape(index) & ObjectShape.MayHaveContained) == 0 ? UInt128.Zero : ContainedIds.TryHash(resource, out var ids) ? ids : null;
        Evaluate(root.Invariants, null, state, index, context);
        VisitChildren(state, index, root, context);
        state.Pop();
    }

    private void VisitChildren(InvariantWalkState state, int parentIndex, ChildTable table, ValidationContext context)
    {
        var parent = state.Cursor(parentIndex).Value;
        if (parent.ValueKind != JsonValueKind.Object) return;
        // Without _name properties (most objects) each property is its element whole: its value is the enumerated
        // one, with no lookups by name; otherwise a value and its _name object are paired by name.
        var hasShadows = (state.Shape(parentIndex) & ObjectShape.HasShadows) != 0;
        foreach (var property in parent.EnumerateObject())
        {
            // Looked up from the UTF-8 name: no string per property.
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            if (raw.SequenceEqual("resourceType"u8)) continue;
            if (hasShadows && raw.Length > 1 && raw[0] == (byte)'_')
            {
                if (parent.TryGetProperty(raw[1..], out _)) continue; // visited with its value
                raw = raw[1..];
            }
            if (!table.Names.TryGetValue(raw, out var entry)) continue; // unknown: the structure walk reports it
            var node = entry.Node;
            var slot = entry.Slot;
            if (node.Invariants is null && slot.TypeInvariants is null && !slot.IsResource && (node.Children ?? slot.Resolved) is null) continue;
            // A primitive value without a _name object has no children, and ele-1 holds on it: nothing to evaluate
            // when that is all its element and type carry (most leaves).
            var leafTrivial = !hasShadows && node.Slices is null && !slot.IsResource && OnlyEle1(node.Invariants) && OnlyEle1(slot.TypeInvariants);
            var name = slot.JsonName; // interned: the frames keep no per-resource strings
            JsonElement value, shadow;
            if (hasShadows)
            {
                parent.TryGetProperty(name, out value);
                parent.TryGetProperty(slot.ShadowName, out shadow);
            }
            else
            {
                value = property.Value;
                shadow = default;
            }
            if (shadow.ValueKind == JsonValueKind.Undefined && value.ValueKind == JsonValueKind.Array)
            {
                // Enumerated, not indexed: the indexer walks an array of objects from its start.
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (!(leafTrivial && IsPrimitive(item))) Visit(state, parentIndex, name, i, node, slot, item, default, context);
                    i++;
                }
            }
            else if (value.ValueKind == JsonValueKind.Array || shadow.ValueKind == JsonValueKind.Array)
            {
                var count = FhirPathNavigator.AlignedCount(value, shadow);
                for (var i = 0; i < count; i++)
                    Visit(state, parentIndex, name, i, node, slot, FhirPathNavigator.AlignedAt(value, i), FhirPathNavigator.AlignedAt(shadow, i), context);
            }
            else if (!(leafTrivial && IsPrimitive(value))) Visit(state, parentIndex, name, -1, node, slot, value, shadow, context);
        }
    }

    private static bool IsPrimitive(JsonElement value) => value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;

    private static bool OnlyEle1(CompiledInvariant[]? invariants)
    {
        if (invariants is null) return true;
        foreach (var invariant in invariants)
        {
            if (!ReferenceEquals(invariant.Native, InvariantCompiler.Ele1Check)) return false;
        }
        return true;
    }

    private void Visit(InvariantWalkState state, int parentIndex, string name, int index, ElementNode node, TypeSlot slot, JsonElement value, JsonElement shadow, ValidationContext context)
    {
        if (value.ValueKind == JsonValueKind.Null) value = default;
        if (shadow.ValueKind == JsonValueKind.Null) shadow = default;
        if (value.ValueKind == JsonValueKind.Undefined && shadow.ValueKind == JsonValueKind.Undefined) return;
        // An object met clean before in this context is not walked again (SubtreeMemo); only a clean walk is remembered.
        if (shadow.ValueKind == JsonValueKind.Undefined && value.ValueKind == JsonValueKind.Object && context.Memo is { } memo && Environment(slot, memo) is { } environment)
        {
            if (memo.Seen((slot.SubtreeId << 1) | 1, value, out var key, environment)) return;
            var before = context.IssueCount;
            VisitElement(state, parentIndex, name, index, node, slot, value, shadow, context);
            if (context.IssueCount == before) memo.Remember(key);
            return;
        }
        VisitElement(state, parentIndex, name, index, node, slot, value, shadow, context);
    }

    /// <summary>What the verdict in this context depends on besides the object (mixed into its memo key); null: not memoized.</summary>
    private static UInt128? Environment(TypeSlot slot, SubtreeMemo memo) => slot.SubtreeId == 0 ? null : slot.InvariantDependency switch
    {
        SubtreeDependency.None => UInt128.Zero,
        SubtreeDependency.ContainedIds => memo.ContainedIdsHash,
        _ => null,
    };

    private void VisitElement(InvariantWalkState state, int parentIndex, string name, int index, ElementNode node, TypeSlot slot, JsonElement value, JsonElement shadow, ValidationContext context)
    {
        context.Push(name, index);
        if (slot.IsResource)
        {
            // A contained or Bundle-entry resource: typed by its own resourceType, checked against its base definition.
            // Its %rootResource is not the walked resource's: no ContainedIds context is memoized inside it.
            var memo = context.Memo;
            var containedIds = memo?.ContainedIdsHash;
            if (memo is not null) memo.ContainedIdsHash = null;
            var resource = _model.Resource(value, state.Element(parentIndex), name);
            var frame = state.Push(new FhirPathCursor(value, default, resource.Type, resource.Table), parentIndex, name, resource);
            Evaluate(node.Invariants, null, state, frame, context);
            if (resource.Table is { } resourceTable)
            {
                Evaluate(resourceTable.Invariants, null, state, frame, context);
                VisitChildren(state, frame, resourceTable, context);
            }
            state.Pop();
            if (memo is not null) memo.ContainedIdsHash = containedIds;
        }
        else
        {
            var table = node.Children ?? slot.Resolved;
            var frame = state.Push(new FhirPathCursor(value, shadow, FhirPathNavigator.TypeCode(slot.Code), table), parentIndex, name);
            Evaluate(node.Invariants, slot.TypeInvariants, state, frame, context);
            if (node.Slices is { } slices) EvaluateSlice(slices, value, state, frame, context);
            if (table is not null) VisitChildren(state, frame, table, context);
            state.Pop();
        }
        context.Pop();
    }

    /// <summary>The constraints of the first slice the item matches (the structure walk assigns items the same way).</summary>
    private static void EvaluateSlice(SliceRule[] slices, JsonElement item, InvariantWalkState state, int frame, ValidationContext context)
    {
        foreach (var slice in slices)
        {
            if (!slice.Evaluable || !ResourceWalker.Matches(slice, item)) continue;
            if (slice.Node.Invariants is { } invariants) Evaluate(invariants, state, frame, context);
            return;
        }
    }

    private static void Evaluate(CompiledInvariant[]? own, CompiledInvariant[]? ofType, InvariantWalkState state, int frame, ValidationContext context)
    {
        if (own is not null) Evaluate(own, state, frame, context);
        if (ofType is not null) Evaluate(ofType, state, frame, context);
    }

    private static void Evaluate(CompiledInvariant[] invariants, InvariantWalkState state, int frame, ValidationContext context)
    {
        foreach (var invariant in invariants)
        {
            if (invariant.HoldsWithoutContained && (state.Shape(frame) & ObjectShape.MayHaveContained) == 0) continue;
            bool? holds;
            try
            {
                holds = invariant.Native?.Invoke(state.Cursor(frame)) ?? invariant.Expression.EvaluateBoolean(state.Scope, state.Element(frame));
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
