using Ingestion.Fhir.Json;
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

    /// <summary>
    /// Starts a resource (<paramref name="resourceType"/>: its R4 type): the root's frame, with the resource's constraints evaluated. <see cref="ResourceWalker"/>
    /// walks the rest (one pass with the structure checks) and calls <see cref="End"/>.
    /// </summary>
    public int Begin(ResourceElement resource, string resourceType, ChildTable root, ValidationContext context)
    {
        var state = context.InvariantState ??= new InvariantWalkState(_model);
        state.Clear();
        // The type the validator read from resourceType (interned), as FhirPathModel.Resource would read it again; the
        // root's FhirPathElement is made only if an expression needs it (most resources are decided on cursors). The
        // root's names were read once for the validator (context.RootMembers): the frame's shape and its constraints'
        // navigation come from them.
        var members = context.RootMembers.Usable ? context.RootMembers : null;
        var index = state.Push(new FhirPathCursor(resource, default, resourceType, root, members), -1, "");
        if (members is not null) state.SetShape(index, InvariantWalkState.ShapeOf(members));
        if (context.Memo is { } memo)
        {
            memo.ContainedIdsHash = (state.Shape(index) & ObjectShape.MayHaveContained) == 0 ? UInt128.Zero : ContainedIds.TryHash(resource, members, memo.ContainedIdsHasher, out var ids) ? ids : null;
        }
        Evaluate(root.Invariants, null, state, index, context);
        return index;
    }

    /// <summary>
    /// What the constraint verdict of an object in this context depends on besides the object, mixed into its memo
    /// key (<see cref="SubtreeMemo"/>): nothing (zero), the resource's contained ids, or — null — something the key
    /// cannot carry: not memoized.
    /// </summary>
    internal static UInt128? Environment(TypeSlot slot, SubtreeMemo memo, InvariantWalkState state) => slot.SubtreeId == 0 ? null : slot.InvariantDependency switch
    {
        SubtreeDependency.None => UInt128.Zero,
        SubtreeDependency.ContainedIds when state.NestedResources == 0 => memo.ContainedIdsHash,
        _ => null,
    };

    public static void End(ValidationContext context)
    {
        var state = context.InvariantState!;
        state.Pop();
        state.Clear(); // no frame or index keeps the document reachable
    }

    /// <summary>
    /// The constraints of an object's children and below, on their own: where the structure walk does not descend the
    /// same way (a value of the wrong JSON shape, an object with <c>_name</c> properties, a slice with its own table).
    /// </summary>
    public void VisitChildren(InvariantWalkState state, int parentIndex, ChildTable table, ValidationContext context)
    {
        var parent = state.Value(parentIndex);
        if (parent.ValueKind != JsonValueKind.Object) return;
        // Without _name properties (most objects) each property is its element whole: its value is the enumerated
        // one, with no lookups by name; otherwise a value and its _name object are paired by name.
        var hasShadows = (state.Shape(parentIndex) & ObjectShape.HasShadows) != 0;
        foreach (var property in parent.EnumerateObject())
        {
            // Looked up from the UTF-8 name: no string per property.
            var raw = property.Utf8Name;
            if (raw.SequenceEqual("resourceType"u8)) continue;
            if (hasShadows && raw.Length > 1 && raw[0] == (byte)'_')
            {
                if (parent.TryGetProperty(raw[1..], out _)) continue; // visited with its value
                raw = raw[1..];
            }
            if (!table.Names.TryGetValue(raw, out var entry)) continue; // unknown: the structure walk reports it
            if (NeedsVisit(entry.Node, entry.Slot)) VisitProperty(state, parentIndex, parent, property, entry.Node, entry.Slot, hasShadows, context);
        }
    }

    /// <summary>False when neither the element, its type nor anything below it carries a constraint.</summary>
    public static bool NeedsVisit(ElementNode node, TypeSlot slot) =>
        node.Invariants is not null || slot.TypeInvariants is not null || slot.IsResource || (node.Children ?? slot.Resolved) is not null;

    /// <summary>
    /// A primitive value without a _name object has no children, and ele-1 holds on it: nothing to evaluate when that
    /// is all its element and type carry (most leaves).
    /// </summary>
    public static bool IsLeafTrivial(ElementNode node, TypeSlot slot, bool hasShadows)
    {
        if (hasShadows) return false;
        // Asked per property by both walks: found once per slot (a slot belongs to one element; the tables are
        // immutable once compiled, and a racing first use computes the same answer).
        if (slot.LeafTrivial is { } known && ReferenceEquals(known.Node, node)) return known.Trivial;
        var trivial = node.Slices is null && !slot.IsResource && OnlyEle1(node.Invariants) && OnlyEle1(slot.TypeInvariants);
        slot.LeafTrivial = new LeafTriviality(node, trivial);
        return trivial;
    }

    /// <summary>Whether an item of an element is visited (null items and trivial primitive leaves are not).</summary>
    public static bool VisitsItem(JsonValueKind itemKind, bool leafTrivial) => itemKind != JsonValueKind.Null && !(leafTrivial && IsPrimitive(itemKind));

    /// <summary>One property of an object (its value and, paired by name, its <c>_name</c> object), on its own.</summary>
    public void VisitProperty(InvariantWalkState state, int parentIndex, ResourceElement parent, ResourceProperty property, ElementNode node, TypeSlot slot, bool hasShadows, ValidationContext context)
    {
        var leafTrivial = IsLeafTrivial(node, slot, hasShadows);
        var name = slot.JsonName; // interned: the frames keep no per-resource strings
        ResourceElement value, shadow;
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
        // Each value's JSON kind is read once here and handed down.
        var valueKind = value.ValueKind;
        var shadowKind = shadow.ValueKind;
        if (shadowKind == JsonValueKind.Undefined && valueKind == JsonValueKind.Array)
        {
            // Enumerated, not indexed: the indexer walks an array of objects from its start.
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                var itemKind = item.ValueKind;
                if (!(leafTrivial && IsPrimitive(itemKind))) Visit(state, parentIndex, name, i, node, slot, item, itemKind, default, context);
                i++;
            }
        }
        else if (valueKind == JsonValueKind.Array || shadowKind == JsonValueKind.Array)
        {
            var count = FhirPathNavigator.AlignedCount(value, shadow);
            for (var i = 0; i < count; i++)
            {
                var item = FhirPathNavigator.AlignedAt(value, i);
                Visit(state, parentIndex, name, i, node, slot, item, item.ValueKind, FhirPathNavigator.AlignedAt(shadow, i), context);
            }
        }
        else if (!(leafTrivial && IsPrimitive(valueKind))) Visit(state, parentIndex, name, -1, node, slot, value, valueKind, shadow, context);
    }

    private static bool IsPrimitive(JsonValueKind kind) => kind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;

    private static bool OnlyEle1(CompiledInvariant[]? invariants)
    {
        if (invariants is null) return true;
        foreach (var invariant in invariants)
        {
            if (!ReferenceEquals(invariant.Native, InvariantCompiler.Ele1Check)) return false;
        }
        return true;
    }

    private void Visit(InvariantWalkState state, int parentIndex, string name, int index, ElementNode node, TypeSlot slot, ResourceElement value, JsonValueKind valueKind, ResourceElement shadow, ValidationContext context)
    {
        if (valueKind == JsonValueKind.Null)
        {
            value = default;
            valueKind = JsonValueKind.Undefined;
        }
        var shadowKind = shadow.ValueKind;
        if (shadowKind == JsonValueKind.Null)
        {
            shadow = default;
            shadowKind = JsonValueKind.Undefined;
        }
        if (valueKind == JsonValueKind.Undefined && shadowKind == JsonValueKind.Undefined) return;
        // An object met clean before in this context is not walked again (SubtreeMemo); only a clean walk is remembered.
        var key = default(SubtreeKey);
        if (shadowKind == JsonValueKind.Undefined && valueKind == JsonValueKind.Object && context.Memo is { } memo && Environment(slot, memo, state) is { } environment
            && memo.Seen(slot.SubtreeId * 4 + SubtreeMemo.ConstraintsOnly, value, out key, environment)) return;
        var before = context.IssueCount;
        context.Push(name, index);
        var frame = Enter(state, parentIndex, name, node, slot, value, shadow, SliceUnknown, context, out var table);
        if (table is not null) VisitChildren(state, frame, table, context);
        Leave(state, slot, context);
        context.Pop();
        if (context.IssueCount == before) context.Memo?.Remember(key);
    }

    /// <summary>Leaves an element <see cref="Enter"/> entered (pops its frame).</summary>
    public void Leave(InvariantWalkState state, TypeSlot slot, ValidationContext context)
    {
        state.Pop();
        if (slot.IsResource) state.NestedResources--;
    }

    /// <summary>Passed as the matched slice when the caller has not matched the item against the slices.</summary>
    public const int SliceUnknown = int.MinValue;

    /// <summary>
    /// Enters an element (the caller has pushed its location and calls <see cref="Leave"/>): evaluates the constraints of its
    /// element and type, or of a contained/Bundle-entry resource, and of the slice it falls in (<paramref name="slice"/>:
    /// the index the structure walk matched, -1 for none, or <see cref="SliceUnknown"/>). Returns the frame;
    /// <paramref name="table"/> is the children to visit (null: none).
    /// </summary>
    public int Enter(InvariantWalkState state, int parentIndex, string name, ElementNode node, TypeSlot slot, ResourceElement value, ResourceElement shadow, int slice, ValidationContext context, out ChildTable? table)
    {
        if (slot.IsResource)
        {
            // A contained or Bundle-entry resource: typed by its own resourceType, checked against its base definition.
            state.NestedResources++;
            var resource = _model.Resource(value, state.Element(parentIndex), name);
            var frame = state.Push(new FhirPathCursor(value, default, resource.Type, resource.Table), parentIndex, name, resource);
            Evaluate(node.Invariants, null, state, frame, context);
            table = resource.Table;
            if (table is not null) Evaluate(table.Invariants, null, state, frame, context);
            return frame;
        }
        table = node.Children ?? slot.Resolved;
        var index = state.Push(new FhirPathCursor(value, shadow, slot.FhirPathType, table), parentIndex, name);
        Evaluate(node.Invariants, slot.TypeInvariants, state, index, context);
        if (node.Slices is { } slices)
        {
            if (slice == SliceUnknown) EvaluateSlice(slices, value, state, index, context);
            else if (slice >= 0 && slices[slice].Node.Invariants is { } invariants) Evaluate(invariants, state, index, context);
        }
        return index;
    }

    /// <summary>The constraints of the first slice the item matches (the structure walk assigns items the same way).</summary>
    private static void EvaluateSlice(SliceRule[] slices, ResourceElement item, InvariantWalkState state, int frame, ValidationContext context)
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
        // Several constraints navigating from the focus (an Observation's root: about fifteen lookups) read its names
        // once; one or two read the JSON (indexing costs about one pass over the object). A single constraint (most
        // elements: ele-1 alone) or a focus read already needs no count.
        if (invariants.Length >= 2 && !state.HasMembers(frame))
        {
            var navigating = 0;
            foreach (var invariant in invariants)
            {
                if (invariant.NavigatesFocus && !(invariant.HoldsWithoutContained && (state.Shape(frame) & ObjectShape.MayHaveContained) == 0) && ++navigating == 2)
                {
                    state.IndexMembers(frame);
                    break;
                }
            }
        }
        // The frame's cursor stays put while its constraints run (nothing pushes a frame or re-indexes it meanwhile): read
        // once onto the stack.
        var cursor = state.Cursor(frame);
        var ele1 = InvariantCompiler.Ele1Check;
        foreach (var invariant in invariants)
        {
            if (ReferenceEquals(invariant.Native, ele1))
            {
                // ele-1, on every element: decided on the cursor in place (it never throws nor needs the expression).
                if (!InvariantCompiler.HasValueOrChildren(in cursor)) context.AddInvariant(invariant.Severity, invariant.Key, invariant.Message);
                continue;
            }
            if (invariant.HoldsWithoutContained && (state.Shape(frame) & ObjectShape.MayHaveContained) == 0) continue;
            if (Holds(invariant, state, frame, in cursor, context) == false) context.AddInvariant(invariant.Severity, invariant.Key, invariant.Message);
        }
    }

    /// <summary>
    /// One constraint's verdict on the frame (null: it could not be evaluated, reported here). Apart from the loop: the
    /// exception handling keeps its locals off the registers, and ele-1 (most calls) needs none.
    /// </summary>
    private static bool? Holds(CompiledInvariant invariant, InvariantWalkState state, int frame, in FhirPathCursor cursor, ValidationContext context)
    {
        try
        {
            bool? holds;
            // Outside nested resources %rootResource is the walked resource, frame 0's: the check that reads it answers
            // wherever the native does, the same, and decides more (ref-1's #id), with one read of the element.
            if (invariant.NativeInRootResource is { } inRoot && state.NestedResources == 0) holds = inRoot(cursor, state.Cursor(0));
            else holds = invariant.CursorForm is { } cursorForm ? InvariantCompiler.Verdict(cursorForm(in cursor)) : invariant.Native?.Invoke(cursor);
            return holds ?? invariant.Expression.EvaluateBoolean(state.Scope, state.Element(frame));
        }
        catch (FhirPathException e)
        {
            // The messages name the construct only (no values): safe to report.
            context.AddInvariant(invariant.Severity, invariant.Key, $"Constraint {invariant.Key} could not be evaluated here: {e.Message}");
        }
        catch (RegexMatchTimeoutException)
        {
            context.AddInvariant(invariant.Severity, invariant.Key, $"Constraint {invariant.Key} could not be evaluated here: a regular expression timed out.");
        }
        return null;
    }
}
