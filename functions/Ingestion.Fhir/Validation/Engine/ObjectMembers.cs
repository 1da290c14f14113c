using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// The properties of the objects on the walk's current path, read once per object (name looked up, JSON kind
/// taken once) and then worked through: a stack of records reused across resources (it lives in the pooled
/// <see cref="ValidationContext"/>), so the walk enumerates each object once and allocates nothing for it.
/// </summary>
internal sealed class ObjectMembers
{
    private ObjectMember[] _items = new ObjectMember[64];
    private int _highWater;
    private byte[] _counts = new byte[512];
    private int _countsTop;

    public int Count { get; private set; }

    /// <summary>A new record at the top (valid until the next <see cref="Add"/>: the array may grow).</summary>
    public ref ObjectMember Add()
    {
        if (Count == _items.Length) Array.Resize(ref _items, Count * 2);
        if (Count >= _highWater) _highWater = Count + 1;
        return ref _items[Count++];
    }

    public ref readonly ObjectMember this[int index] => ref _items[index];

    /// <summary>Drops an object's records (they stay in the array until <see cref="Clear"/>).</summary>
    public void PopTo(int count) => Count = count;

    /// <summary>Ends a resource: no record keeps its document reachable.</summary>
    public void Clear()
    {
        Array.Clear(_items, 0, _highWater);
        _highWater = 0;
        Count = 0;
        _countsTop = 0;
    }

    /// <summary>
    /// Zeroed presence counters for one object, on a stack beside the records (released with
    /// <see cref="ReleaseCounts"/> in reverse order). Not <c>stackalloc</c>: a method with a stack allocation and a
    /// loop is compiled once, fully optimized without profile data, instead of tiering up with it.
    /// </summary>
    public Span<byte> RentCounts(int length)
    {
        if (_countsTop + length > _counts.Length)
        {
            // The objects above keep their spans of the old array; this one and the next start in the new one.
            _counts = new byte[Math.Max(_counts.Length * 2, _countsTop + length)];
        }
        var counts = _counts.AsSpan(_countsTop, length);
        counts.Clear();
        _countsTop += length;
        return counts;
    }

    public void ReleaseCounts(int length) => _countsTop -= length;
}

/// <summary>One property of an object as the walk read it: its element when known (by index, <see cref="ChildNameTable.EntryAt"/>: no references to copy), its value's JSON kind.</summary>
internal struct ObjectMember
{
    public ResourceProperty Property;
    public int Entry;
    public JsonValueKind Kind;
    public MemberFlags Flags;
}

[Flags]
internal enum MemberFlags : byte
{
    None = 0,
    Known = 1,                  // the name is an element of the table (for _name: the element's)
    PrimitiveExtension = 2,     // a _name property
    ResourceType = 4,           // "resourceType"
}
