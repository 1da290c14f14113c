using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// Member navigation over the JSON tree: <c>name</c> finds the property (and its <c>_name</c> primitive extension),
/// or the one present type of the choice element <c>name[x]</c>; types come from the compiled element tables when
/// the parent's type is known, otherwise from the JSON (choice suffixes). One walk serves two callers through a
/// struct sink: collecting elements (<see cref="Children"/>) and counting what a member path yields without
/// materialising anything (<see cref="CountPath"/>, for <c>exists()</c>/<c>empty()</c>/<c>hasValue()</c>).
/// </summary>
internal static class FhirPathNavigator
{
    private const string SystemTypePrefix = "http://hl7.org/fhirpath/System.";

    /// <summary>Adds the children named <paramref name="name"/> (none when the parent's type has no such element).</summary>
    /// <param name="step">The compiled step's resolutions by table (null: resolved here).</param>
    public static void Children(FhirPathModel model, FhirPathElement parent, string name, string shadowName, ref List<object>? output, FhirPathStepCache? step = null)
    {
        var sink = new ListSink(model, parent, output);
        Walk(model, new FhirPathCursor(parent.Value, parent.Shadow, parent.Type, parent.Table), name, shadowName, step, ref sink);
        output = sink.Output;
    }

    /// <summary>
    /// How many items the member path <paramref name="names"/> (from <paramref name="depth"/> on) yields from
    /// <paramref name="from"/>, counting up to <paramref name="limit"/>; <paramref name="last"/> is the last item found.
    /// The same items <see cref="Children"/> step by step would give, without allocating.
    /// </summary>
    /// <param name="steps">The path's compiled steps (<see cref="FhirPathStepCache.ForPath"/>), or null: resolved per step here.</param>
    public static int CountPath(FhirPathModel model, in FhirPathCursor from, string[] names, string[] shadowNames, int depth, int limit, ref FhirPathCursor last, FhirPathStepCache[]? steps = null)
    {
        var sink = new CountSink(model, names, shadowNames, depth + 1, limit, steps, keepLast: true);
        Walk(model, from, names[depth], shadowNames[depth], steps?[depth], ref sink);
        if (sink.Count > 0) last = sink.Last;
        return sink.Count;
    }

    /// <summary>
    /// As above, for a caller that needs the count only (<c>exists()</c>, <c>empty()</c>): no item is copied as the
    /// last one (a cursor holds five references: each copy through a reference pays their write barriers).
    /// </summary>
    public static int CountPath(FhirPathModel model, in FhirPathCursor from, string[] names, string[] shadowNames, int depth, int limit, FhirPathStepCache[]? steps)
    {
        var sink = new CountSink(model, names, shadowNames, depth + 1, limit, steps, keepLast: false);
        Walk(model, from, names[depth], shadowNames[depth], steps?[depth], ref sink);
        return sink.Count;
    }

    /// <summary>
    /// <see cref="CountPath(FhirPathModel, in FhirPathCursor, string[], string[], int, int, ref FhirPathCursor, FhirPathStepCache[])"/>
    /// from the path's start, its first step already resolved for <paramref name="from"/>'s table (an object with one:
    /// the caller needed the resolution before navigating); <paramref name="keepLast"/> false: <paramref name="last"/> is left as it is.
    /// </summary>
    public static int CountPath(FhirPathModel model, in FhirPathCursor from, string[] names, string[] shadowNames, int limit, FhirPathStep first, FhirPathStepCache[] steps, bool keepLast, ref FhirPathCursor last)
    {
        var sink = new CountSink(model, names, shadowNames, 1, limit, steps, keepLast);
        WalkResolved(from, names[0], first, ref sink);
        if (keepLast && sink.Count > 0) last = sink.Last;
        return sink.Count;
    }

    /// <summary>
    /// How many items of the member path <paramref name="names"/> (from <paramref name="depth"/> on) from
    /// <paramref name="from"/> <paramref name="criterion"/> holds on (<c>where(criterion)</c>, each item its focus);
    /// -1 when it is undecided on one, or an item is a resource (typed by its own <c>resourceType</c>): the full form
    /// decides. Every item is judged (no stop at a limit): an item the full form could not evaluate is never skipped.
    /// </summary>
    public static int CountWhere(FhirPathModel model, in FhirPathCursor from, string[] names, string[] shadowNames, int depth, FhirPathStepCache[]? steps, FhirPathCursorCondition criterion)
    {
        var sink = new WhereSink(model, names, shadowNames, depth + 1, steps, criterion);
        Walk(model, from, names[depth], shadowNames[depth], steps?[depth], ref sink);
        return sink.Undecided ? -1 : sink.Count;
    }

    private static void Walk<TSink>(FhirPathModel model, in FhirPathCursor parent, string name, string shadowName, FhirPathStepCache? step, ref TSink sink) where TSink : struct, IChildSink
    {
        if (parent.Value.ValueKind != JsonValueKind.Object)
        {
            // A primitive's id and extensions live in its _name object.
            if (parent.Shadow.ValueKind == JsonValueKind.Object) AddProperty(parent.Shadow, null, name, shadowName, name == "extension" ? "Extension" : null, null, ref sink);
            return;
        }
        if (parent.Table is { } table)
        {
            if (step is not null)
            {
                // A compiled step: resolved once for this table.
                WalkResolved(parent, name, step.For(table), ref sink);
                return;
            }
            // The same lookups FhirPathStep.Resolve makes, without an object per step.
            if (table.ByJsonName.TryGetValue(name, out var entry) && !entry.Node.IsChoice)
            {
                AddProperty(parent.Value, parent.Members, name, entry.Slot.ShadowName, entry.Slot.FhirPathType, entry.Node.Children ?? entry.Slot.Resolved, ref sink);
                return;
            }
            if (table.ChoiceByName.TryGetValue(name, out var choice))
            {
                AddChoice(parent.Value, parent.Members, name, choice, ref sink);
                return;
            }
            if (table.ByJsonName.TryGetValue(name, out entry))
                AddProperty(parent.Value, parent.Members, name, entry.Slot.ShadowName, entry.Slot.FhirPathType, entry.Node.Children ?? entry.Slot.Resolved, ref sink);
            return;
        }

        JsonProperties.Find(parent.Value, parent.Members, name, shadowName, out var found, out var foundShadow);
        if (found.ValueKind != JsonValueKind.Undefined || foundShadow.ValueKind != JsonValueKind.Undefined)
        {
            AddItems(name, null, null, found, foundShadow, ref sink);
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
                AddProperty(parent.Value, null, n, "_" + n, FhirPathValues.IsPrimitiveType(primitive) ? primitive : suffix, null, ref sink);
                return;
            }
        }
    }

    /// <summary>A member step from an object, resolved for its table (<see cref="FhirPathStepCache"/>).</summary>
    private static void WalkResolved<TSink>(in FhirPathCursor parent, string name, FhirPathStep resolved, ref TSink sink) where TSink : struct, IChildSink
    {
        if (resolved.IsProperty)
        {
            var slot = resolved.Entry.Slot;
            AddProperty(parent.Value, parent.Members, name, slot.ShadowName, slot.FhirPathType, resolved.Entry.Node.Children ?? slot.Resolved, ref sink);
        }
        else if (resolved.Choice is { } resolvedChoice) AddChoice(parent.Value, parent.Members, name, resolvedChoice, ref sink);
    }

    /// <summary>All child elements (for <c>children()</c>/<c>descendants()</c>).</summary>
    public static void AllChildren(FhirPathModel model, FhirPathElement parent, List<object> output)
    {
        var sink = new ListSink(model, parent, output);
        if (parent.Value.ValueKind != JsonValueKind.Object)
        {
            // A primitive's children are the id and extensions of its _name object.
            if (parent.Shadow.ValueKind != JsonValueKind.Object) return;
            foreach (var property in parent.Shadow.EnumerateObject())
                AddProperty(parent.Shadow, null, property.Name, "_" + property.Name, property.Name == "extension" ? "Extension" : null, null, ref sink);
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
                AddProperty(parent.Value, null, name, entry.Slot.ShadowName, entry.Slot.FhirPathType, entry.Node.Children ?? entry.Slot.Resolved, ref sink);
            else
                AddProperty(parent.Value, null, name, "_" + name, null, null, ref sink);
        }
    }

    /// <summary>Items of a repeating primitive: the values and the <c>_name</c> array are aligned by index, either may be shorter.</summary>
    internal static int AlignedCount(ResourceElement value, ResourceElement shadow) =>
        Math.Max(value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : 0, shadow.ValueKind == JsonValueKind.Array ? shadow.GetArrayLength() : 0);

    internal static ResourceElement AlignedAt(ResourceElement array, int index) =>
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

    /// <summary>
    /// The present types of the choice element <c>name[x]</c>, in the order of its types (one pass finds which are
    /// present instead of two lookups per type: Extension.value[x] has fifty). With <paramref name="members"/> (the
    /// object's names read once) the names are read from there.
    /// </summary>
    private static void AddChoice<TSink>(ResourceElement obj, FhirPathObjectIndex? members, string name, ElementNode node, ref TSink sink) where TSink : struct, IChildSink
    {
        var types = node.Types;
        if (types.Length > 64)
        {
            foreach (var slot in types)
            {
                if (obj.TryGetProperty(slot.JsonName, out _) || obj.TryGetProperty(slot.ShadowName, out _))
                {
                    if (!AddProperty(obj, members, slot.JsonName, slot.ShadowName, slot.FhirPathType, slot.Resolved, ref sink)) return;
                }
            }
            return;
        }
        var present = 0UL;
        // The common case, one type present, spelled once or more but without its _name: the scan keeps the (last)
        // value it meets, and that is what looking the type's name up again would give.
        var simple = true;
        var value = default(ResourceElement);
        if (members is { Usable: true })
        {
            // Every name is plain here. A name not starting as the choice's (or with '_') and no longer than it names none
            // of its types: passed over in the loop (an Observation's root reads value[x] among some fifteen names).
            var first = name.Length > 0 ? name[0] : -1;
            for (var m = 0; m < members.Count; m++)
            {
                var raw = members.Name(m);
                if (raw.Length <= name.Length || raw[0] != first && raw[0] != (byte)'_') continue;
                var bits = ChoiceTypesNamed(raw, name, types);
                if (bits == 0) continue;
                Note(bits, raw[0] == (byte)'_', members.Value(m), ref present, ref simple, ref value);
            }
        }
        else
        {
            foreach (var property in obj.EnumerateObject())
            {
                var raw = property.Utf8Name;
                if (!JsonProperties.IsPlain(raw))
                {
                    // An escaped or non-ASCII name: compared as text.
                    for (var i = 0; i < types.Length; i++)
                    {
                        if (property.NameEquals(types[i].JsonName) || property.NameEquals(types[i].ShadowName))
                        {
                            present |= 1UL << i;
                            simple = false;
                        }
                    }
                    continue;
                }
                var bits = ChoiceTypesNamed(raw, name, types);
                if (bits == 0) continue;
                Note(bits, raw[0] == (byte)'_', property.Value, ref present, ref simple, ref value);
            }
        }
        if (present == 0) return;
        if (simple)
        {
            var slot = types[System.Numerics.BitOperations.TrailingZeroCount(present)];
            AddItems(slot.JsonName, slot.FhirPathType, slot.Resolved, value, default, ref sink);
            return;
        }
        for (var i = 0; present != 0 && i < types.Length; i++)
        {
            if ((present & (1UL << i)) == 0) continue;
            present &= ~(1UL << i);
            var slot = types[i];
            if (!AddProperty(obj, members, slot.JsonName, slot.ShadowName, slot.FhirPathType, slot.Resolved, ref sink)) return;
        }
    }

    /// <summary>A property naming a type of the choice: still the simple case while it is one type's value (repeated: the last wins).</summary>
    private static void Note(ulong bits, bool isShadow, ResourceElement propertyValue, ref ulong present, ref bool simple, ref ResourceElement value)
    {
        if (isShadow || (present != 0 && present != bits)) simple = false;
        present |= bits;
        if (!isShadow) value = propertyValue;
    }

    /// <summary>The bits of the choice's types a plain property name (or its <c>_name</c>) spells.</summary>
    private static ulong ChoiceTypesNamed(ReadOnlySpan<byte> raw, string name, TypeSlot[] types)
    {
        if (raw.Length > 0 && raw[0] == (byte)'_') raw = raw[1..];
        if (raw.Length <= name.Length || !Ascii.Equals(raw[..name.Length], name)) return 0;
        var present = 0UL;
        for (var i = 0; i < types.Length; i++)
        {
            // Lengths first: one of the choice's names is compared, not each.
            var jsonName = types[i].JsonName;
            if (jsonName.Length == raw.Length && Ascii.Equals(raw, jsonName)) present |= 1UL << i;
        }
        return present;
    }

    /// <summary>Feeds the items of one property to the sink; false when the sink has seen enough.</summary>
    private static bool AddProperty<TSink>(ResourceElement obj, FhirPathObjectIndex? members, string jsonName, string shadowName, string? type, ChildTable? table, ref TSink sink) where TSink : struct, IChildSink
    {
        JsonProperties.Find(obj, members, jsonName, shadowName, out var value, out var shadow);
        return AddItems(jsonName, type, table, value, shadow, ref sink);
    }

    private static bool AddItems<TSink>(string jsonName, string? type, ChildTable? table, ResourceElement value, ResourceElement shadow, ref TSink sink) where TSink : struct, IChildSink
    {
        if (shadow.ValueKind == JsonValueKind.Undefined && value.ValueKind == JsonValueKind.Array)
        {
            // Enumerated, not indexed: the indexer walks an array of objects from its start.
            foreach (var item in value.EnumerateArray())
            {
                if (!Add(jsonName, type, table, item, default, ref sink)) return false;
            }
            return true;
        }
        if (value.ValueKind == JsonValueKind.Array || shadow.ValueKind == JsonValueKind.Array)
        {
            var count = AlignedCount(value, shadow);
            for (var i = 0; i < count; i++)
            {
                if (!Add(jsonName, type, table, AlignedAt(value, i), AlignedAt(shadow, i), ref sink)) return false;
            }
            return true;
        }
        return Add(jsonName, type, table, value, shadow, ref sink);
    }

    private static bool Add<TSink>(string name, string? type, ChildTable? table, ResourceElement value, ResourceElement shadow, ref TSink sink) where TSink : struct, IChildSink
    {
        if (value.ValueKind == JsonValueKind.Null) value = default;
        if (shadow.ValueKind == JsonValueKind.Null) shadow = default;
        if (value.ValueKind == JsonValueKind.Undefined && shadow.ValueKind == JsonValueKind.Undefined) return true;
        if (value.ValueKind == JsonValueKind.Object && sink.TypesResources && value.TryGetProperty("resourceType"u8, out _)) return sink.AddResource(name, value);
        return sink.Add(name, new FhirPathCursor(value, shadow, type, table));
    }

    private interface IChildSink
    {
        /// <summary>
        /// Whether an object with a <c>resourceType</c> must be told apart (typed by it): not for the last step of a
        /// counted path, where a resource counts as one item like any object and nothing navigates below it.
        /// </summary>
        bool TypesResources { get; }

        bool Add(string name, in FhirPathCursor item);

        bool AddResource(string name, ResourceElement resource);
    }

    /// <summary>Materialises the items as <see cref="FhirPathElement"/>s (the list is created on the first one).</summary>
    private struct ListSink(FhirPathModel model, FhirPathElement parent, List<object>? output) : IChildSink
    {
        public List<object>? Output = output;

        public readonly bool TypesResources => true;

        public bool Add(string name, in FhirPathCursor item)
        {
            (Output ??= []).Add(new FhirPathElement(item.Value, item.Shadow, item.Type, item.Table, parent, name));
            return true;
        }

        public bool AddResource(string name, ResourceElement resource)
        {
            (Output ??= []).Add(model.Resource(resource, parent, name));
            return true;
        }
    }

    /// <summary>Follows the rest of a member path from each item and counts the leaves, stopping at the limit.</summary>
    private struct CountSink(FhirPathModel model, string[] names, string[] shadowNames, int depth, int limit, FhirPathStepCache[]? steps, bool keepLast) : IChildSink
    {
        public int Count;
        public FhirPathCursor Last;

        public readonly bool TypesResources => depth < names.Length;

        public bool Add(string name, in FhirPathCursor item)
        {
            if (depth == names.Length)
            {
                Count++;
                if (keepLast) Last = item;
            }
            else Count += keepLast
                ? CountPath(model, item, names, shadowNames, depth, limit - Count, ref Last, steps)
                : CountPath(model, item, names, shadowNames, depth, limit - Count, steps);
            return Count < limit;
        }

        public bool AddResource(string name, ResourceElement resource) => Add(name, model.ResourceCursor(resource));
    }

    /// <summary>Follows the rest of a member path from each item and counts the leaves the criterion holds on (<see cref="CountWhere"/>).</summary>
    private struct WhereSink(FhirPathModel model, string[] names, string[] shadowNames, int depth, FhirPathStepCache[]? steps, FhirPathCursorCondition criterion) : IChildSink
    {
        public int Count;
        public bool Undecided;

        public readonly bool TypesResources => true;

        public bool Add(string name, in FhirPathCursor item)
        {
            if (depth == names.Length)
            {
                switch (criterion(item))
                {
                    case FhirPathTruth.True:
                        Count++;
                        break;
                    case FhirPathTruth.Undecided:
                        Undecided = true;
                        return false;
                }
                return true;
            }
            var n = CountWhere(model, item, names, shadowNames, depth, steps, criterion);
            if (n < 0)
            {
                Undecided = true;
                return false;
            }
            Count += n;
            return true;
        }

        public bool AddResource(string name, ResourceElement resource)
        {
            if (depth < names.Length) return Add(name, model.ResourceCursor(resource));
            Undecided = true;
            return false;
        }
    }
}

/// <summary>
/// A position in the JSON tree with its FHIR type and compiled children: an element not (yet) materialised.
/// <paramref name="Members"/>: <paramref name="Value"/>'s names read once, when the walk indexed the object for the
/// several constraints evaluated on it (null: navigation reads the JSON).
/// </summary>
internal readonly record struct FhirPathCursor(ResourceElement Value, ResourceElement Shadow, string? Type, ChildTable? Table, FhirPathObjectIndex? Members = null)
{
    public bool HasPrimitiveValue => Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;
}
