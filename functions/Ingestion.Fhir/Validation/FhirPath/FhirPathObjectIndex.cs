using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// An object's property names (copied as UTF-8) and values, read in one pass, for the constraints evaluated on that
/// object: an Observation's root constraints (obs-6, obs-7, us-core-2, vs-2, vs-3...) look up <c>value[x]</c>,
/// <c>component</c>, <c>hasMember</c>, <c>dataAbsentReason</c> about fifteen times, and each lookup in the
/// <see cref="ResourceDocument"/> walks the object's rows again. Lookups here give what <see cref="JsonProperties.Find"/>
/// gives (a repeated name yields its last value). Only objects whose names are all plain (no escapes, ASCII) are
/// indexed; otherwise <see cref="Usable"/> is false and the caller reads the JSON. Reused: one per frame of the walk,
/// rebuilt per object, and one for the resource's root (<see cref="ValidationContext.RootMembers"/>: the validator's
/// own root lookups, the root frame's constraints and shape), cleared after the resource so no document stays reachable.
/// </summary>
internal sealed class FhirPathObjectIndex
{
    private byte[] _names = new byte[256];
    private int[] _ends = new int[16];
    private ResourceProperty[] _properties = new ResourceProperty[16];
    private readonly PathCount[] _counts = new PathCount[12];
    private int _countCount;
    private ulong _nameBits;

    public int Count { get; private set; }

    /// <summary>False when a name needs decoding (escapes, non-ASCII): then nothing is looked up here.</summary>
    public bool Usable { get; private set; }

    /// <summary>The contained resources' names as dom-2/4/5 ask them (<see cref="ContainedMemberCheck"/>), kept until the object is rebuilt or cleared.</summary>
    public ContainedMemberNames ContainedMemberNames { get; set; }

    /// <summary>A name is a <c>_name</c> primitive extension (found by <see cref="Build"/>).</summary>
    public bool HasShadowNames { get; private set; }

    /// <summary>A name is <c>contained</c> or <c>_contained</c> (found by <see cref="Build"/>).</summary>
    public bool HasContainedName { get; private set; }

    public void Build(ResourceElement obj)
    {
        Clear();
        var used = 0;
        foreach (var property in obj.EnumerateObject())
        {
            var raw = property.Utf8Name;
            // The walk's shape of the object, from the same pass (InvariantWalkState.ShapeOf).
            var name = raw;
            if (raw.Length > 1 && raw[0] == (byte)'_')
            {
                HasShadowNames = true;
                name = raw[1..];
            }
            if (name.Length == 9 && name.SequenceEqual("contained"u8)) HasContainedName = true;
            if (used + raw.Length > _names.Length) Array.Resize(ref _names, Math.Max(_names.Length * 2, used + raw.Length));
            if (Count == _ends.Length)
            {
                Array.Resize(ref _ends, Count * 2);
                Array.Resize(ref _properties, Count * 2);
            }
            _nameBits |= NameBit(raw);
            raw.CopyTo(_names.AsSpan(used));
            used += raw.Length;
            _ends[Count] = used;
            _properties[Count++] = property;
        }
        // Every name plain (JsonProperties.IsPlain: no escapes, ASCII), checked once over the names copied side by side
        // (vectorised) rather than name by name: a name needing decoding leaves nothing indexed.
        var names = _names.AsSpan(0, used);
        if (!Ascii.IsValid(names) || names.Contains((byte)'\\'))
        {
            Clear();
            return;
        }
        Usable = true;
    }

    public ReadOnlySpan<byte> Name(int index) => _names.AsSpan(index == 0 ? 0 : _ends[index - 1], _ends[index] - (index == 0 ? 0 : _ends[index - 1]));

    public ResourceElement Value(int index) => _properties[index].Value;

    /// <summary>The property as enumerated (the walk of the resource's root reads its members from here rather than from the JSON again).</summary>
    public ResourceProperty Property(int index) => _properties[index];

    /// <summary>As <see cref="JsonProperties.Find"/> over the indexed object (only when <see cref="Usable"/>).</summary>
    public void Find(string name, string shadowName, out ResourceElement value, out ResourceElement shadow)
    {
        value = default;
        shadow = default;
        // Neither name in the signature (Synthea's roots lack contained, component...): no scan.
        if ((_nameBits & (NameBit(name) | NameBit(shadowName))) == 0) return;
        var start = 0;
        for (var i = 0; i < Count; i++)
        {
            var end = _ends[i];
            var length = end - start;
            if (length == name.Length && Ascii.Equals(_names.AsSpan(start, length), name)) value = _properties[i].Value;
            else if (length == shadowName.Length && Ascii.Equals(_names.AsSpan(start, length), shadowName)) shadow = _properties[i].Value;
            start = end;
        }
    }

    /// <summary>As <see cref="ResourceElement.TryGetProperty(string, out ResourceElement)"/> over the indexed object (only when <see cref="Usable"/>): the last of a repeated name.</summary>
    public bool TryGet(string name, out ResourceElement value)
    {
        value = default;
        // Not in the signature (Synthea's roots lack meta): no scan.
        if ((_nameBits & NameBit(name)) == 0) return false;
        var found = false;
        var start = 0;
        for (var i = 0; i < Count; i++)
        {
            var end = _ends[i];
            if (end - start == name.Length && Ascii.Equals(_names.AsSpan(start, end - start), name))
            {
                value = _properties[i].Value;
                found = true;
            }
            start = end;
        }
        return found;
    }

    /// <summary>
    /// False when none of the names whose <see cref="NameBit(string)"/>s make up <paramref name="nameBits"/> is a name
    /// of the object (only when <see cref="Usable"/>): a member step the object lacks is answered without looking it up.
    /// True may be a false positive (a 64-bit signature of the names): the caller looks the name up then.
    /// </summary>
    public bool MayHaveAny(ulong nameBits) => (_nameBits & nameBits) != 0;

    /// <summary>A name's bit in the signature <see cref="MayHaveAny"/> tests: the same for a plain UTF-8 name and its string.</summary>
    public static ulong NameBit(ReadOnlySpan<byte> raw) => raw.Length == 0 ? 1UL : 1UL << Mix(raw.Length, raw[0], raw[raw.Length / 2], raw[^1]);

    /// <inheritdoc cref="NameBit(ReadOnlySpan{byte})"/>
    public static ulong NameBit(string name) => name.Length == 0 ? 1UL : 1UL << Mix(name.Length, name[0], name[name.Length / 2], name[^1]);

    private static int Mix(int length, int first, int middle, int last) => (int)(((uint)length * 0x9E3779B1u ^ (uint)first * 0x85EBCA77u ^ (uint)middle * 0xC2B2AE3Du ^ (uint)last * 0x27D4EB2Fu) * 0x9E3779B1u >> 26);

    /// <summary>
    /// A member path's count already taken from this object (<see cref="FhirPathNavigator.CountPath"/>: a pure function
    /// of the object, the table it is read with, the path and the limit). An Observation's root constraints count
    /// <c>value</c>, <c>component</c>, <c>dataAbsentReason</c>, <c>hasMember</c> about eleven times, five of them distinct.
    /// </summary>
    /// <param name="withLast">Whether <paramref name="last"/> is wanted: only a count taken with its last item answers then.</param>
    public bool TryGetCount(string path, ChildTable? table, int limit, out int count, out FhirPathCursor last, bool withLast = true)
    {
        for (var i = 0; i < _countCount; i++)
        {
            ref readonly var c = ref _counts[i];
            // The same limit; or a count that stopped below its limit (every item counted) and is within this one:
            // then counting up to this limit finds the same items, the same last one.
            if ((c.Limit == limit || c.Count < c.Limit && c.Count <= limit) && (c.WithLast || !withLast) && ReferenceEquals(c.Table, table) && string.Equals(c.Path, path, StringComparison.Ordinal))
            {
                count = c.Count;
                last = c.WithLast ? new FhirPathCursor(c.LastValue, c.LastShadow, c.LastType, c.LastTable, c.LastMembers) : default;
                return true;
            }
        }
        count = 0;
        last = default;
        return false;
    }

    /// <summary>Remembers a count for <see cref="TryGetCount"/> until the object is rebuilt or cleared (the first few paths only).</summary>
    /// <param name="withLast">Whether <paramref name="last"/> is the last item counted (false: not kept, default).</param>
    public void AddCount(string path, ChildTable? table, int limit, int count, in FhirPathCursor last, bool withLast = true)
    {
        if (_countCount == _counts.Length) return;
        // Field by field, as InvariantWalkState.Push stores a cursor: the entry whole holds seven references, and a copy
        // of a struct with four or more into the heap is a bulk-copy helper call. A count without its last item stores none.
        ref var c = ref _counts[_countCount++];
        c.Path = path;
        c.Table = table;
        c.Limit = limit;
        c.Count = count;
        c.WithLast = withLast;
        if (withLast)
        {
            c.LastValue = last.Value;
            c.LastShadow = last.Shadow;
            c.LastType = last.Type;
            c.LastTable = last.Table;
            c.LastMembers = last.Members;
        }
        else
        {
            c.LastValue = default;
            c.LastShadow = default;
            c.LastType = null;
            c.LastTable = null;
            c.LastMembers = null;
        }
    }

    /// <summary>Drops the object (no document stays reachable through a pooled index).</summary>
    public void Clear()
    {
        Array.Clear(_properties, 0, Count);
        Count = 0;
        _nameBits = 0;
        Usable = false;
        HasShadowNames = false;
        HasContainedName = false;
        ContainedMemberNames = ContainedMemberNames.Unknown;
        Array.Clear(_counts, 0, _countCount);
        _countCount = 0;
    }

    /// <summary>A count kept (<see cref="AddCount"/>): its last item's cursor as parts.</summary>
    private struct PathCount
    {
        public string Path;
        public ChildTable? Table;
        public int Limit;
        public int Count;
        public bool WithLast;
        public ResourceElement LastValue;
        public ResourceElement LastShadow;
        public string? LastType;
        public ChildTable? LastTable;
        public FhirPathObjectIndex? LastMembers;
    }
}
