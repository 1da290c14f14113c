using Ingestion.Fhir.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Walks a resource's JSON against a compiled element table: unknown elements, JSON types, primitive formats,
/// cardinality, fixed/pattern values, bindings, slices, reference targets, must-support. Fatal issues (the resource
/// cannot be used) are wrong JSON types and invalid primitive values; the rest are conformance errors.
/// The same pass evaluates the constraints (<see cref="InvariantWalker"/>): each object is enumerated and each
/// property name looked up once for both. Where the constraints need a different descent than the structure checks
/// (a value of the wrong JSON shape, an object with <c>_name</c> properties, a primitive, a slice with its own table)
/// that property's constraints are walked on their own; constraint issues are listed after the structure issues.
/// </summary>
internal sealed class ResourceWalker
{
    public const string RuleEmptyObject = "json.empty-object";
    public const string RulePrimitiveExtensionMember = "json.primitive-extension-member";

    private readonly Func<string, ChildTable?> _baseResource;
    private readonly InvariantWalker _invariants;

    public ResourceWalker(Func<string, ChildTable?> baseResource, InvariantWalker invariants)
    {
        _baseResource = baseResource;
        _invariants = invariants;
    }

    /// <summary>Checks a resource against a profile's root table: structure issues, then constraint issues.</summary>
    public void Validate(ResourceElement resource, string resourceType, ChildTable root, ValidationContext context)
    {
        context.RootWalks++;
        var frame = _invariants.Begin(resource, resourceType, root, context);
        // The root's names were read once for the validator: the walk takes them from there.
        ValidateObject(resource, root, context, isResource: true, frame, context.RootMembers.Usable ? context.RootMembers : null);
        InvariantWalker.End(context);
        context.Members.Clear();
        context.AppendInvariantIssues();
    }

    /// <summary>
    /// One object against its table; <paramref name="frame"/> is its element's constraint frame when its children's
    /// constraints are walked here too (the constraint walk's table for it is <paramref name="table"/>), else -1.
    /// <paramref name="read"/>: the object's properties already read (usable), else they are read from the JSON.
    /// </summary>
    private void ValidateObject(ResourceElement obj, ChildTable table, ValidationContext context, bool isResource, int frame, FhirPathObjectIndex? read = null)
    {
        var state = context.InvariantState!;
        var list = context.Members;
        var start = list.Count;
        var findShape = frame >= 0 && !state.HasShape(frame);
        // Presence per element, counted during the pass over the properties: values, and primitive extensions. Behind
        // them, a mark per name read (NameMarks), for the duplicate check while reading.
        var slots = table.SlotCount;
        var rented = slots * 2 + NameMarks.Length(table);
        var counts = list.RentCounts(rented);
        var marks = new NameMarks(counts[(slots * 2)..], table);
        var shape = read is null ? ReadMembers(obj, table, list, isResource, findShape, ref marks) : ReadMembers(read, table, list, isResource, findShape, ref marks);
        if (!marks.AllDifferent) context.DuplicateKeyDoubts++;
        if (frame >= 0)
        {
            if (shape != ObjectShape.Unknown) state.SetShape(frame, shape);
            if ((state.Shape(frame) & ObjectShape.HasShadows) != 0)
            {
                // Values and their _name objects are paired by name: the constraint walk does that on its own.
                _invariants.VisitChildren(state, frame, table, context);
                frame = -1;
            }
        }
        var end = list.Count;
        var members = end - start;
        for (var m = start; m < end; m++)
        {
            var member = list[m]; // a copy: the walk below may grow the list
            var property = member.Property;
            if (isResource && (member.Flags & MemberFlags.ResourceType) != 0)
            {
                NotEntered(member.Kind, context); // a string, unless the resource is unusable anyway
                continue;
            }
            if ((member.Flags & MemberFlags.Known) == 0)
            {
                context.Add(IssueSeverity.Error, "structure", table.UnknownElementRule, "Unknown element here, or a type the profile does not allow for this choice element.", SafeName(property));
                NotEntered(member.Kind, context);
                continue;
            }
            // The element's facts first: a clean primitive needs nothing else (see ChildFacts).
            ref readonly var facts = ref table.Names.FactsAt(member.Entry);
            if ((member.Flags & MemberFlags.PrimitiveExtension) != 0)
            {
                // _name carries id/extension for a primitive: an object, or an array aligned with the values. Their
                // names are not compared here (nor their extensions entered).
                NotEntered(member.Kind, context);
                if (facts.Primitive == PrimitiveKind.None || member.Kind is not (JsonValueKind.Object or JsonValueKind.Array))
                    context.Add(IssueSeverity.Error, "structure", table.UnknownElementRule, "Primitive extension on a non-primitive element, or not an object.", SafeName(property));
                else
                {
                    CheckPrimitiveExtension(property, context);
                    if (HasExtension(property.Value))
                    {
                        counts[slots + facts.Index] = 1;
                        counts[slots + facts.BaseIndex] = 1;
                    }
                }
                continue;
            }
            if (counts[facts.BaseIndex] < byte.MaxValue) counts[facts.BaseIndex]++;
            if (facts.Index != facts.BaseIndex) counts[facts.Index] = 1;
            // Without _name properties here (checked above) the property is its element whole. The constraint walk
            // skips resourceType wherever it is, and subtrees without constraints.
            var walkConstraints = frame >= 0 && (member.Flags & MemberFlags.ResourceType) == 0 && (facts.Flags & ChildFlags.NeedsVisit) != 0;
            if (walkConstraints && facts.Primitive != PrimitiveKind.None)
            {
                // A primitive has no children the structure walk enters: its constraints are evaluated on their own,
                // unless it is a single value the constraint walk would not visit (a trivial leaf, most primitives).
                if (member.Kind == JsonValueKind.Array || InvariantWalker.VisitsItem(member.Kind, (facts.Flags & ChildFlags.LeafTrivial) != 0))
                {
                    ref readonly var visited = ref table.Names.EntryAt(member.Entry);
                    _invariants.VisitProperty(state, frame, obj, property, visited.Node, visited.Slot, hasShadows: false, context);
                }
                walkConstraints = false;
            }
            if (!walkConstraints && facts.Primitive != PrimitiveKind.None && IsCleanSinglePrimitive(in facts, table.Names, member.Entry, property.Value, member.Kind)) continue;
            ref readonly var entry = ref table.Names.EntryAt(member.Entry);
            if (member.Kind == JsonValueKind.Object && (facts.Flags & ChildFlags.SingleValue) != 0)
            {
                // A single object, as ValidateProperty would walk it (an object is visited with its constraints
                // wherever they are walked), with the memo's probe from the facts: a hit needs nothing else.
                if (RememberedSingle(property.Value, in facts, table.Names, member.Entry, walkConstraints, context, out var key)) continue;
                context.Push(facts.JsonName);
                WalkItem(entry.Node, entry.Slot, property.Value, JsonValueKind.Object, context, walkConstraints ? frame : -1, walkConstraints, in key);
                context.Pop();
                continue;
            }
            ValidateProperty(entry.Node, entry.Slot, property, member.Kind, context, walkConstraints ? frame : -1);
        }
        list.PopTo(start);
        if (members == 0) context.Add(IssueSeverity.Error, "structure", RuleEmptyObject, "Empty objects are not allowed in FHIR JSON.");

        foreach (var (node, index) in table.Required)
        {
            if (counts[index] > 0 || counts[slots + index] > 0) continue;
            if (node.Min > 0)
            {
                context.Add(ref node.LastMinIssue, IssueSeverity.Error, "required", node.MinRule, node.MinMessage, node.IsChoice ? node.Name : JsonNameOf(node));
            }
            else if (node.Slices is { } slices)
            {
                foreach (var slice in slices)
                {
                    if (slice.Node.Min > 0 && slice.Evaluable)
                        context.Add(ref slice.LastMinIssue, IssueSeverity.Error, "required", slice.MinRule, slice.MinMessage, node.Name);
                }
            }
        }

        foreach (var (node, index) in table.Choices)
        {
            if (counts[index] > 1) context.Add(IssueSeverity.Error, "structure", node.ElementId + ":max", "More than one type given for a choice element.", node.Name);
        }

        if (context.ReportMustSupport)
        {
            foreach (var (node, index) in table.MustSupport)
            {
                if (counts[index] == 0 && counts[slots + index] == 0)
                    context.Add(ref node.LastMustSupportIssue, IssueSeverity.Information, "informational", node.MustSupportRule, "Must-support element absent.", node.IsChoice ? node.Name : JsonNameOf(node));
            }
        }
        list.ReleaseCounts(rented);
    }

    /// <summary>A value the walk does not enter: an object or array in it may hold names nobody compared.</summary>
    private static void NotEntered(JsonValueKind kind, ValidationContext context)
    {
        if (kind is JsonValueKind.Object or JsonValueKind.Array) context.DuplicateKeyDoubts++;
    }

    /// <summary>
    /// A single primitive value (most properties) that <see cref="ValidateProperty"/> would find clean: valid for its
    /// type, in its binding, with no fixed or pattern value to meet. Anything else (or false) goes the general way,
    /// which checks again and reports.
    /// </summary>
    private static bool IsCleanSinglePrimitive(in ChildFacts facts, ChildNameTable names, int entry, ResourceElement value, JsonValueKind kind)
    {
        if (kind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) || (facts.Flags & ChildFlags.SinglePlain) == 0) return false;
        if (PrimitiveFormats.Check(facts.Primitive, value, kind) != PrimitiveCheck.Valid) return false;
        return (facts.Flags & ChildFlags.PrimitiveBinding) == 0 || names.EntryAt(entry).Node.Binding!.Codes.ContainsCode(value);
    }

    /// <summary>
    /// Reads an object's properties onto <paramref name="list"/>: each name looked up once (a <c>_name</c> by its
    /// element's name), each value's JSON kind taken once. With <paramref name="findShape"/> it also returns what
    /// <see cref="InvariantWalkState.Shape"/> would find in the same names, else <see cref="ObjectShape.Unknown"/>.
    /// </summary>
    private static ObjectShape ReadMembers(ResourceElement obj, ChildTable table, ObjectMembers list, bool isResource, bool findShape, ref NameMarks marks)
    {
        var shape = findShape ? ObjectShape.Scanned : ObjectShape.Unknown;
        foreach (var property in obj.EnumerateObject()) ReadMember(property.Utf8Name, property, table, list, isResource, findShape, ref shape, ref marks);
        return shape;
    }

    /// <summary>As above, from an object's properties read once already (the resource's root, whose names are all plain).</summary>
    private static ObjectShape ReadMembers(FhirPathObjectIndex read, ChildTable table, ObjectMembers list, bool isResource, bool findShape, ref NameMarks marks)
    {
        var shape = findShape ? ObjectShape.Scanned : ObjectShape.Unknown;
        for (var i = 0; i < read.Count; i++) ReadMember(read.Name(i), read.Property(i), table, list, isResource, findShape, ref shape, ref marks);
        return shape;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void ReadMember(ReadOnlySpan<byte> raw, ResourceProperty property, ChildTable table, ObjectMembers list, bool isResource, bool findShape, ref ObjectShape shape, ref NameMarks marks)
    {
        var isPrimitiveExtension = raw.Length > 1 && raw[0] == (byte)'_';
        var name = isPrimitiveExtension ? raw[1..] : raw;
        ref var member = ref list.Add();
        member.Property = property;
        member.Flags = isPrimitiveExtension ? MemberFlags.PrimitiveExtension : MemberFlags.None;
        var known = false;
        var resourceType = raw.Length == 12 && raw.SequenceEqual("resourceType"u8);
        if (resourceType)
        {
            member.Flags |= MemberFlags.ResourceType;
            if (isResource)
            {
                marks.MarkResourceType();
                return; // skipped by both walks: no lookup, no kind; plain, not "contained"
            }
        }
        member.Entry = table.Names.IndexOf(name);
        if (member.Entry >= 0)
        {
            member.Flags |= MemberFlags.Known;
            known = true;
            marks.Mark(member.Entry, isPrimitiveExtension);
        }
        else if (resourceType) marks.MarkResourceType(); // a nested object's own resourceType, not an element here
        else marks.Unjudged();
        member.Kind = property.Value.ValueKind;
        if (findShape)
        {
            if (isPrimitiveExtension) shape |= ObjectShape.HasShadows;
            // A name found in the table is one of its plain names: only unknown names need the byte check.
            var plain = known && table.Names.AllPlain || JsonProperties.IsPlain(raw);
            if (!plain || name.SequenceEqual("contained"u8)) shape |= ObjectShape.MayHaveContained;
        }
    }

    /// <summary>
    /// A <c>_name</c> object (or each non-null item of a <c>_name</c> array) may hold only <c>id</c> and <c>extension</c>,
    /// and is not empty.
    /// </summary>
    private static void CheckPrimitiveExtension(ResourceProperty property, ValidationContext context)
    {
        var name = SafeName(property);
        if (property.Value.ValueKind == JsonValueKind.Object)
        {
            CheckPrimitiveExtensionObject(property.Value, name, -1, context);
            return;
        }
        var i = 0;
        foreach (var item in property.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Null) CheckPrimitiveExtensionObject(item, name, i, context);
            i++;
        }
    }

    private static void CheckPrimitiveExtensionObject(ResourceElement value, string name, int index, ValidationContext context)
    {
        context.Push(name, index);
        if (value.ValueKind != JsonValueKind.Object)
        {
            context.Add(IssueSeverity.Error, "structure", RulePrimitiveExtensionMember, "A primitive extension item must be an object or null.");
        }
        else
        {
            var members = 0;
            foreach (var member in value.EnumerateObject())
            {
                members++;
                if (!(member.NameEquals("id"u8) || member.NameEquals("extension"u8)))
                    context.Add(IssueSeverity.Error, "structure", RulePrimitiveExtensionMember, "A primitive extension object holds only id and extension.", SafeName(member));
            }
            if (members == 0) context.Add(IssueSeverity.Error, "structure", RuleEmptyObject, "Empty objects are not allowed in FHIR JSON.");
        }
        context.Pop();
    }

    private static string JsonNameOf(ElementNode node) => node.Types.Length > 0 ? node.Types[0].JsonName : node.Name;

    /// <summary>A primitive is present through its extension alone (_birthDate with data-absent-reason) only if it has one.</summary>
    private static bool HasExtension(ResourceElement value)
    {
        if (value.ValueKind == JsonValueKind.Object) return value.TryGetProperty("extension"u8, out _);
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("extension"u8, out _)) return true;
        }
        return false;
    }

    /// <summary>
    /// A property's value(s); <paramref name="parentFrame"/> ≥ 0 when its constraints are walked here too (then the
    /// element is not a primitive and the object has no <c>_name</c> properties).
    /// </summary>
    private void ValidateProperty(ElementNode node, TypeSlot slot, ResourceProperty property, JsonValueKind valueKind, ValidationContext context, int parentFrame)
    {
        var name = slot.JsonName;
        var value = property.Value;
        if (node.IsArray)
        {
            if (valueKind != JsonValueKind.Array)
            {
                context.Add(IssueSeverity.Fatal, "structure", node.ElementId + ":json-type", "Expected a JSON array for this repeating element.", name);
                NotEntered(valueKind, context);
                VisitConstraintsAlone(node, slot, property, context, parentFrame);
                return;
            }
            var length = value.GetArrayLength();
            if (length == 0)
            {
                context.Add(IssueSeverity.Error, "structure", node.ElementId + ":empty", "Empty arrays are not allowed in FHIR JSON.", name);
                return; // no items: no constraints to evaluate either
            }
            if (length > node.Max) context.Add(IssueSeverity.Error, "structure", node.ElementId + ":max", $"Too many items (max {MaxText(node.Max)}).", name);

            if (node.Slices is { Length: > 0 } slices)
            {
                ValidateSlicedArray(node, slot, value, slices, context, parentFrame);
                return;
            }
            var leafTrivial = parentFrame >= 0 && InvariantWalker.IsLeafTrivial(node, slot, hasShadows: false); // only asked with constraints
            context.Push(name, 0);
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                context.SetIndex(i++);
                var itemKind = item.ValueKind; // read once: the item's checks below all ask it
                if (itemKind == JsonValueKind.Null && slot.Primitive != PrimitiveKind.None) continue; // aligned with _name
                ValidateItemWithConstraints(node, slot, item, itemKind, context, parentFrame, leafTrivial);
            }
            context.Pop();
            return;
        }

        if (valueKind == JsonValueKind.Array)
        {
            context.Add(IssueSeverity.Fatal, "structure", node.ElementId + ":json-type", "Expected a single value, found a JSON array.", name);
            NotEntered(valueKind, context);
            VisitConstraintsAlone(node, slot, property, context, parentFrame);
            return;
        }
        if (node.Max == 0)
        {
            context.Add(IssueSeverity.Error, "structure", node.ElementId + ":max", "Element not allowed by the profile (max 0).", name);
            NotEntered(valueKind, context);
            VisitConstraintsAlone(node, slot, property, context, parentFrame);
            return;
        }
        context.Push(name);
        ValidateItemWithConstraints(node, slot, value, valueKind, context, parentFrame, parentFrame >= 0 && InvariantWalker.IsLeafTrivial(node, slot, hasShadows: false));
        context.Pop();
    }

    /// <summary>The structure walk stops at a value of the wrong shape; the constraints are still evaluated below it.</summary>
    private void VisitConstraintsAlone(ElementNode node, TypeSlot slot, ResourceProperty property, ValidationContext context, int parentFrame)
    {
        if (parentFrame >= 0)
            _invariants.VisitProperty(context.InvariantState!, parentFrame, default, property, node, slot, hasShadows: false, context);
    }

    /// <summary>
    /// An item whose element's constraints are evaluated (unless it is a trivial leaf) before its structure is checked;
    /// not walked at all when met clean before in the same context (<see cref="SubtreeMemo"/>).
    /// </summary>
    private void ValidateItemWithConstraints(ElementNode node, TypeSlot slot, ResourceElement item, JsonValueKind itemKind, ValidationContext context, int parentFrame, bool leafTrivial)
    {
        var withConstraints = parentFrame >= 0 && InvariantWalker.VisitsItem(itemKind, leafTrivial);
        if (!withConstraints && itemKind != JsonValueKind.Object)
        {
            // Not an object: nothing the memo would look up, nothing to remember.
            ValidateItem(node, slot, item, itemKind, context);
            return;
        }
        if (Remembered(item, itemKind, slot.SubtreeId, slot, withConstraints, context, out var key)) return;
        WalkItem(node, slot, item, itemKind, context, parentFrame, withConstraints, in key);
    }

    /// <summary>An item the memo did not answer: walked, and remembered under <paramref name="key"/> when clean.</summary>
    private void WalkItem(ElementNode node, TypeSlot slot, ResourceElement item, JsonValueKind itemKind, ValidationContext context, int parentFrame, bool withConstraints, in SubtreeKey key)
    {
        var before = context.IssueCount;
        var doubtsBefore = context.DuplicateKeyDoubts;
        if (!withConstraints) ValidateItem(node, slot, item, itemKind, context);
        else
        {
            var state = context.InvariantState!;
            var frame = _invariants.Enter(state, parentFrame, slot.JsonName, node, slot, item, default, InvariantWalker.SliceUnknown, context, out var table);
            ValidateItem(node, slot, item, itemKind, context, null, frame, table);
            _invariants.Leave(state, slot, context);
        }
        // Clean, and every name in it compared: a hit stands for both.
        if (context.IssueCount == before && context.DuplicateKeyDoubts == doubtsBefore) context.Memo?.Remember(key);
    }

    /// <summary>
    /// <see cref="Remembered"/> for a single object property, with its slot's memo id and dependency from the facts: the
    /// slot itself is read only when the constraints' key needs what lies outside the object.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static bool RememberedSingle(ResourceElement item, in ChildFacts facts, ChildNameTable names, int entry, bool withConstraints, ValidationContext context, out SubtreeKey key)
    {
        if (withConstraints && facts.Dependency != SubtreeDependency.None)
            return Remembered(item, JsonValueKind.Object, facts.SubtreeId, names.EntryAt(entry).Slot, withConstraints, context, out key);
        // Without a dependency the environment is zero (InvariantWalker.Environment), as without constraints.
        key = default;
        return facts.SubtreeId != 0 && context.Memo is { } memo
            && memo.Seen(facts.SubtreeId * 4 + (withConstraints ? SubtreeMemo.StructureAndConstraints : SubtreeMemo.StructureOnly), item, out key);
    }

    /// <summary>
    /// The memo's one check at an item's entry: true when the object was walked clean before in the same context
    /// (<paramref name="subtree"/>: the slot's or the matched slice's id) and the same way — structure only, or
    /// structure and constraints (whose key then carries what they depend on outside the object, see
    /// <see cref="InvariantWalker.Environment"/>). Otherwise <paramref name="key"/> is what a clean walk remembers.
    /// </summary>
    // Not inlined: the hash's state would make every caller's frame large, zeroed on each call (most calls are not objects).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static bool Remembered(ResourceElement item, JsonValueKind itemKind, int subtree, TypeSlot slot, bool withConstraints, ValidationContext context, out SubtreeKey key)
    {
        key = default;
        if (subtree == 0 || itemKind != JsonValueKind.Object || context.Memo is not { } memo) return false;
        var environment = UInt128.Zero;
        if (withConstraints)
        {
            if (InvariantWalker.Environment(slot, memo, context.InvariantState!) is not { } dependency) return false;
            environment = dependency;
        }
        return memo.Seen(subtree * 4 + (withConstraints ? SubtreeMemo.StructureAndConstraints : SubtreeMemo.StructureOnly), item, out key, environment);
    }

    private static string MaxText(int max) => max == int.MaxValue ? "*" : max.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void ValidateSlicedArray(ElementNode node, TypeSlot slot, ResourceElement array, SliceRule[] slices, ValidationContext context, int parentFrame)
    {
        var counts = MemoryMarshal.Cast<byte, int>(context.Members.RentCounts(slices.Length * sizeof(int)));
        var state = context.InvariantState!;
        var leafTrivial = InvariantWalker.IsLeafTrivial(node, slot, hasShadows: false); // false: sliced
        context.Push(slot.JsonName, 0);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            context.SetIndex(i++);
            var itemKind = item.ValueKind;
            var matched = -1;
            for (var s = 0; s < slices.Length; s++)
            {
                if (slices[s].Evaluable && Matches(slices[s], item))
                {
                    matched = s;
                    break;
                }
            }
            // The match, its count and closed slicing stay here; only the item's own walk may come from the memo.
            if (matched >= 0) counts[matched]++;
            else if (node.SlicingClosed) context.Add(IssueSeverity.Error, "structure", node.ElementId + ":closed-slicing", "Item matches no slice of a closed slicing.");
            var withConstraints = parentFrame >= 0 && InvariantWalker.VisitsItem(itemKind, leafTrivial);
            if (Remembered(item, itemKind, matched >= 0 ? slices[matched].SubtreeId : slot.SubtreeId, slot, withConstraints, context, out var key)) continue;
            var before = context.IssueCount;
            var doubtsBefore = context.DuplicateKeyDoubts;
            // The constraints are the sliced element's (and its type's) and the matched slice's, on the sliced
            // element's children; the structure checks below may use the slice's.
            var frame = -1;
            ChildTable? constraintTable = null;
            if (withConstraints)
                frame = _invariants.Enter(state, parentFrame, slot.JsonName, node, slot, item, default, matched, context, out constraintTable);
            if (matched >= 0)
            {
                // The item meets the slice's rules and the sliced element's: a slice without inline children keeps the
                // sliced element's children unless its type names a profile (extension slices).
                var sliceNode = slices[matched].Node;
                var sliceSlot = sliceNode.Types.Length > 0 ? sliceNode.Types[0] : slot;
                var children = sliceNode.Children ?? (sliceSlot.Profile is not null ? sliceSlot.Resolved : node.Children ?? sliceSlot.Resolved);
                ValidateItem(sliceNode, sliceSlot, item, itemKind, context, children, frame, constraintTable);
            }
            else ValidateItem(node, slot, item, itemKind, context, null, frame, constraintTable);
            if (frame >= 0) _invariants.Leave(state, slot, context);
            if (context.IssueCount == before && context.DuplicateKeyDoubts == doubtsBefore) context.Memo?.Remember(key);
        }
        context.Pop();
        for (var s = 0; s < slices.Length; s++)
        {
            var slice = slices[s];
            if (!slice.Evaluable) continue;
            if (counts[s] < slice.Node.Min)
                context.Add(ref slice.LastMinIssue, IssueSeverity.Error, "required", slice.MinRule, slice.MinMessage, slot.JsonName);
            else if (counts[s] > slice.Node.Max)
                context.Add(IssueSeverity.Error, "structure", slice.Name + ":max", $"Too many items in slice (max {MaxText(slice.Node.Max)}).", slot.JsonName);
        }
        context.Members.ReleaseCounts(slices.Length * sizeof(int));
    }

    internal static bool Matches(SliceRule slice, ResourceElement item)
    {
        foreach (var discriminator in slice.Discriminators)
        {
            if (!AnyValueMatches(item, discriminator.Path, 0, discriminator)) return false;
        }
        return true;
    }

    private static bool AnyValueMatches(ResourceElement current, string[] path, int index, SliceDiscriminator discriminator)
    {
        if (current.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in current.EnumerateArray())
            {
                if (AnyValueMatches(item, path, index, discriminator)) return true;
            }
            return false;
        }
        if (index == path.Length && discriminator.ValueSet is { } valueSet) return InValueSet(valueSet, current);
        if (index == path.Length)
            return discriminator.IsPattern ? discriminator.CompiledExpected.MatchedBy(current) : discriminator.CompiledExpected.EqualTo(current);
        return current.ValueKind == JsonValueKind.Object && current.TryGetProperty(discriminator.Utf8Path[index], out var next) && AnyValueMatches(next, path, index + 1, discriminator);
    }

    /// <summary>A code, Coding or CodeableConcept (any coding) in the code set.</summary>
    internal static bool InValueSet(CompiledCodeSet codes, ResourceElement value)
    {
        if (value.ValueKind == JsonValueKind.String) return codes.ContainsCode(value);
        if (value.ValueKind != JsonValueKind.Object) return false;
        if (value.TryGetProperty("coding"u8, out var codings) && codings.ValueKind == JsonValueKind.Array)
        {
            foreach (var coding in codings.EnumerateArray())
            {
                if (coding.ValueKind == JsonValueKind.Object && coding.TryGetProperty("code"u8, out var code)
                    && codes.Contains(coding.TryGetProperty("system"u8, out var system) ? system : default, code)) return true;
            }
            return false;
        }
        return value.TryGetProperty("code"u8, out var c) && codes.Contains(value.TryGetProperty("system"u8, out var s) ? s : default, c);
    }

    /// <summary>
    /// One value against its element; <paramref name="frame"/> ≥ 0 is its entered constraint frame, whose children
    /// (<paramref name="constraintTable"/>) are walked with the structure's when the tables are the same.
    /// </summary>
    private void ValidateItem(ElementNode node, TypeSlot slot, ResourceElement item, JsonValueKind itemKind, ValidationContext context, ChildTable? children = null, int frame = -1, ChildTable? constraintTable = null)
    {
        if (slot.Primitive != PrimitiveKind.None)
        {
            // A slice typed as a primitive (the walk evaluates primitives' constraints on their own otherwise).
            if (frame >= 0 && constraintTable is not null) _invariants.VisitChildren(context.InvariantState!, frame, constraintTable, context);
            var check = PrimitiveFormats.Check(slot.Primitive, item, itemKind);
            if (check == PrimitiveCheck.WrongJsonType)
            {
                NotEntered(itemKind, context);
                context.Add(IssueSeverity.Fatal, "structure", node.ElementId + ":json-type", $"Wrong JSON type for a FHIR {slot.Code}.");
                return;
            }
            if (check == PrimitiveCheck.InvalidFormat)
            {
                context.Add(IssueSeverity.Fatal, "value", node.ElementId + ":format", $"Value is not a valid FHIR {slot.Code}.");
                return;
            }
            CheckFixedAndPattern(node, item, context);
            if (node.Binding is { } binding && slot.Primitive is PrimitiveKind.Code or PrimitiveKind.String or PrimitiveKind.Uri && !binding.Codes.ContainsCode(item))
                ReportBinding(node, binding, context);
            return;
        }

        if (itemKind != JsonValueKind.Object)
        {
            NotEntered(itemKind, context);
            context.Add(IssueSeverity.Fatal, "structure", node.ElementId + ":json-type", $"Expected a JSON object for a FHIR {slot.Code}.");
            return; // the constraint walk has no children to visit in a value that is not an object
        }
        CheckFixedAndPattern(node, item, context);
        if (node.Binding is { } b) CheckBinding(node, slot, b, item, context);
        if (slot.TargetTypes is { } targets) CheckReferenceTarget(node, targets, item, context);

        var table = slot.IsResource ? NestedResourceTable(item, context) : children ?? node.Children ?? slot.Resolved;
        if (frame >= 0 && constraintTable is not null)
        {
            if (ReferenceEquals(table, constraintTable))
            {
                ValidateObject(item, table, context, slot.IsResource, frame);
                return;
            }
            _invariants.VisitChildren(context.InvariantState!, frame, constraintTable, context);
        }
        if (table is not null) ValidateObject(item, table, context, slot.IsResource, -1);
        else context.DuplicateKeyDoubts++;
    }

    /// <summary>A contained or Bundle-entry resource's base table; null (with an issue) when its type is missing or unknown.</summary>
    private ChildTable? NestedResourceTable(ResourceElement item, ValidationContext context)
    {
        if (!item.TryGetProperty("resourceType"u8, out var type) || type.ValueKind != JsonValueKind.String)
        {
            context.Add(IssueSeverity.Error, "structure", "Resource:resourceType", "Nested resource without resourceType.");
            return null;
        }
        var name = type.GetString()!;
        if (!FhirResourceTypes.IsKnown(name))
        {
            context.Add(IssueSeverity.Error, "not-supported", "Resource:resourceType", "Nested resource of an unknown type.");
            return null;
        }
        return _baseResource(name);
    }

    private static void CheckFixedAndPattern(ElementNode node, ResourceElement item, ValidationContext context)
    {
        if (node.CompiledFixed is { } fixedValue && !fixedValue.EqualTo(item))
            context.Add(IssueSeverity.Error, "value", node.ElementId + ":fixed", "Value differs from the fixed value the profile requires.");
        if (node.CompiledPattern is { } pattern && !pattern.MatchedBy(item))
            context.Add(IssueSeverity.Error, "value", node.ElementId + ":pattern", "Value does not match the pattern the profile requires.");
    }

    private static void CheckBinding(ElementNode node, TypeSlot slot, CompiledBinding binding, ResourceElement item, ValidationContext context)
    {
        switch (slot.Code)
        {
            case "CodeableConcept":
                if (item.TryGetProperty("coding"u8, out var codings) && codings.ValueKind == JsonValueKind.Array)
                {
                    foreach (var coding in codings.EnumerateArray())
                    {
                        if (coding.ValueKind == JsonValueKind.Object && coding.TryGetProperty("code"u8, out var code)
                            && binding.Codes.Contains(coding.TryGetProperty("system"u8, out var system) ? system : default, code)) return;
                    }
                }
                ReportBinding(node, binding, context);
                return;
            case "Coding":
            case "Quantity":
                if (!item.TryGetProperty("code"u8, out var c))
                {
                    if (slot.Code == "Quantity") return; // a Quantity may carry no coded unit
                    ReportBinding(node, binding, context);
                    return;
                }
                if (!binding.Codes.Contains(item.TryGetProperty("system"u8, out var s) ? s : default, c)) ReportBinding(node, binding, context);
                return;
        }
    }

    private static void ReportBinding(ElementNode node, CompiledBinding binding, ValidationContext context)
    {
        if (binding.Required)
            context.Add(ref node.LastBindingIssue, IssueSeverity.Error, "code-invalid", node.BindingRule, node.BindingMessage);
        else
            context.Add(ref node.LastBindingIssue, IssueSeverity.Warning, "code-invalid", node.BindingRule, node.BindingMessage);
    }

    private static void CheckReferenceTarget(ElementNode node, string[] targets, ResourceElement item, ValidationContext context)
    {
        if (!item.TryGetProperty("reference"u8, out var reference) || reference.ValueKind != JsonValueKind.String) return;
        var raw = PrimitiveFormats.Unquote(reference.RawUtf8);
        if (!TryReferenceType(raw, out var typeBytes)) return; // contained (#id), urn:uuid/urn:oid or unparseable: cannot tell the type
        // The common case, a type the profile allows, is an answer without the type-name lookup: the issue below is
        // raised only for a known type that no target names.
        foreach (var target in targets)
        {
            if (System.Text.Ascii.Equals(typeBytes, target)) return;
        }
        CheckUnlistedReferenceTarget(node, targets, typeBytes, context);
    }

    private static void CheckUnlistedReferenceTarget(ElementNode node, string[] targets, ReadOnlySpan<byte> typeBytes, ValidationContext context)
    {
        Span<char> chars = stackalloc char[64];
        if (typeBytes.Length > chars.Length || !TryAscii(typeBytes, chars, out var typeName)) return;
        if (!FhirResourceTypes.TryGet(typeName, out _)) return;
        foreach (var target in targets)
        {
            if (typeName.SequenceEqual(target)) return;
        }
        context.Add(IssueSeverity.Error, "structure", node.ElementId + ":reference-target", $"Reference points to a resource type the profile does not allow (allowed: {string.Join(", ", targets)}).");
    }

    /// <summary>The type segment of "Type/id", "Type/id/_history/v" or an absolute URL ending that way.</summary>
    internal static bool TryReferenceType(ReadOnlySpan<byte> reference, out ReadOnlySpan<byte> type)
    {
        type = default;
        if (reference.Length == 0 || reference[0] == (byte)'#' || reference.StartsWith("urn:"u8)) return false;
        var history = reference.IndexOf("/_history/"u8);
        if (history >= 0) reference = reference[..history];
        var lastSlash = reference.LastIndexOf((byte)'/');
        if (lastSlash <= 0) return false;
        var head = reference[..lastSlash];
        var typeStart = head.LastIndexOf((byte)'/') + 1;
        type = head[typeStart..];
        return type.Length > 0;
    }

    internal static bool TryAscii(ReadOnlySpan<byte> bytes, Span<char> buffer, out ReadOnlySpan<char> chars)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] >= 0x80)
            {
                chars = default;
                return false;
            }
            buffer[i] = (char)bytes[i];
        }
        chars = buffer[..bytes.Length];
        return true;
    }

    /// <summary>Element names are schema words; anything else is reported without its text.</summary>
    private static string SafeName(ResourceProperty property)
    {
        var raw = property.Utf8Name;
        if (raw.Length is 0 or > 64) return "(invalid name)";
        foreach (var b in raw)
        {
            if (!(b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_')) return "(invalid name)";
        }
        return property.Name;
    }
}
