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
    }
}

/// <summary>One property of an object as the walk read it: its element when known, its value's JSON kind.</summary>
internal struct ObjectMember
{
    public JsonProperty Property;
    public ChildEntry Entry;
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
