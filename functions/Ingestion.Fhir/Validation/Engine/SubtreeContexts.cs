namespace Ingestion.Fhir.Validation;

/// <summary>
/// Gives every element context the walks validate an object in an id for the clean-subtree memo
/// (<see cref="SubtreeMemo"/>), and decides per context, once after compilation, whether an invariant verdict there
/// can depend on anything outside the object. A context is a <see cref="TypeSlot"/> (its element, type and children
/// table: the structure walk's <c>ValidateItem</c> and the invariant walk's <c>Visit</c> read nothing else) or, for an
/// item matched to a slice, the <see cref="SliceRule"/> (the slice's element, type and children). A slot reached
/// under two elements, or a slice under two slots, would be two contexts under one id: such a one gets no id.
/// Resource-typed slots (contained resources, Bundle entries) get none either.
/// </summary>
internal static class SubtreeContexts
{
    public static void Assign(IEnumerable<CompiledProfile> profiles)
    {
        var owners = new Dictionary<TypeSlot, ElementNode>(ReferenceEqualityComparer.Instance);
        var sliceOwners = new Dictionary<SliceRule, TypeSlot>(ReferenceEqualityComparer.Instance);
        var ambiguous = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var tables = new List<ChildTable>();
        var seen = new HashSet<ChildTable>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<ChildTable>();
        foreach (var profile in profiles) pending.Push(profile.Root);
        while (pending.Count > 0)
        {
            var table = pending.Pop();
            if (!seen.Add(table)) continue;
            tables.Add(table);
            foreach (var (node, slot, _, _) in table.ByJsonName.Values)
            {
                if (!owners.TryAdd(slot, node) && !ReferenceEquals(owners[slot], node)) ambiguous.Add(slot);
                PushTables(node, slot, pending);
                foreach (var slice in node.Slices ?? [])
                {
                    if (!sliceOwners.TryAdd(slice, slot) && !ReferenceEquals(sliceOwners[slice], slot)) ambiguous.Add(slice);
                    foreach (var sliceSlot in slice.Node.Types) PushTables(slice.Node, sliceSlot, pending);
                    if (slice.Node.Children is { } sliceChildren) pending.Push(sliceChildren);
                }
            }
        }

        var next = 1;
        foreach (var (slot, _) in owners) slot.SubtreeId = slot.IsResource || ambiguous.Contains(slot) ? 0 : next++;
        foreach (var (slice, _) in sliceOwners) slice.SubtreeId = ambiguous.Contains(slice) ? 0 : next++;
        AssignInvariantDependencies(owners, tables);
    }

    private static void PushTables(ElementNode node, TypeSlot slot, Stack<ChildTable> pending)
    {
        if (node.Children is { } children) pending.Push(children);
        if (slot.Resolved is { } resolved) pending.Push(resolved);
    }

    /// <summary>
    /// A context depends on what its own constraints (element, data type, slices: what the invariant walk evaluates
    /// there) read, and on what every context below it depends on: propagated up the (cyclic: Extension.extension)
    /// table graph until nothing changes.
    /// </summary>
    private static void AssignInvariantDependencies(Dictionary<TypeSlot, ElementNode> owners, List<ChildTable> tables)
    {
        var byExpression = new Dictionary<string, SubtreeDependency>(StringComparer.Ordinal);
        foreach (var (slot, node) in owners)
        {
            var own = slot.IsResource ? SubtreeDependency.Outside : Of(node.Invariants, byExpression);
            own = Max(own, Of(slot.TypeInvariants, byExpression));
            foreach (var slice in node.Slices ?? []) own = Max(own, Of(slice.Node.Invariants, byExpression));
            slot.InvariantDependency = own;
        }
        var byTable = new Dictionary<ChildTable, SubtreeDependency>(ReferenceEqualityComparer.Instance);
        bool changed;
        do
        {
            changed = false;
            foreach (var table in tables)
            {
                var dependency = SubtreeDependency.None;
                foreach (var entry in table.ByJsonName.Values) dependency = Max(dependency, entry.Slot.InvariantDependency);
                byTable[table] = dependency;
            }
            foreach (var (slot, node) in owners)
            {
                if ((node.Children ?? slot.Resolved) is not { } table) continue;
                var dependency = Max(slot.InvariantDependency, byTable[table]);
                if (dependency == slot.InvariantDependency) continue;
                slot.InvariantDependency = dependency;
                changed = true;
            }
        }
        while (changed);
    }

    private static SubtreeDependency Of(CompiledInvariant[]? invariants, Dictionary<string, SubtreeDependency> byExpression)
    {
        var dependency = SubtreeDependency.None;
        foreach (var invariant in invariants ?? [])
        {
            var text = invariant.Expression.Text;
            if (!byExpression.TryGetValue(text, out var of)) byExpression[text] = of = ExpressionDependency.Of(text);
            dependency = Max(dependency, of);
        }
        return dependency;
    }

    private static SubtreeDependency Max(SubtreeDependency a, SubtreeDependency b) => a > b ? a : b;
}
