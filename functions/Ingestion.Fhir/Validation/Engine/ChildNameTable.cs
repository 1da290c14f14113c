using System.Runtime.CompilerServices;
using System.Text;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// A table's JSON property names → elements, looked up by the raw UTF-8 name the walks read from the document: no
/// transcoding to chars and no string hash per property (both walks look up every property of every object). Open
/// addressing over a power-of-two slot array, hashed from the name's length and its first and last eight (or four) bytes;
/// built once per compiled table, immutable afterwards. Each slot holds those bytes and the length beside the entry's
/// index: they are the whole name up to 16 bytes (most element names), so a probe reads one slot and no name array.
/// </summary>
internal sealed class ChildNameTable
{
    private readonly byte[][] _names;
    private readonly ChildEntry[] _entries;
    private readonly NameSlot[] _slots; // Index: into _names/_entries + 1; 0 = empty
    private readonly int _mask;

    /// <summary>Names this long or shorter are compared by their <see cref="NameKey"/> alone (it holds every byte).</summary>
    private const int KeyedLength = 16;

    public ChildNameTable(IReadOnlyDictionary<string, ChildEntry> byName)
    {
        _names = new byte[byName.Count][];
        _entries = new ChildEntry[byName.Count];
        var size = 4;
        while (size < byName.Count * 2) size *= 2;
        _slots = new NameSlot[size];
        _mask = size - 1;
        var i = 0;
        foreach (var (name, entry) in byName)
        {
            _names[i] = Encoding.UTF8.GetBytes(name);
            _entries[i] = entry;
            var key = NameKey.Of(_names[i]);
            var slot = key.Hash() & _mask;
            while (_slots[slot].Index != 0) slot = (slot + 1) & _mask;
            _slots[slot] = new NameSlot(key, ++i);
        }
        AllPlain = _names.All(n => n.All(b => b < 0x80 && b != (byte)'\\'));
    }

    /// <summary>The number of names (entries: <see cref="EntryAt"/> takes 0 to <c>Count - 1</c>).</summary>
    public int Count => _entries.Length;

    /// <summary>Every name is ASCII without escapes (element names are): a raw name found here is plain.</summary>
    public bool AllPlain { get; }

    public bool TryGetValue(ReadOnlySpan<byte> name, out ChildEntry entry)
    {
        var index = IndexOf(name);
        entry = index >= 0 ? _entries[index] : default;
        return index >= 0;
    }

    /// <summary>The entry's index for <see cref="EntryAt"/>, or -1: the walk keeps the index, not a copy of the entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(ReadOnlySpan<byte> name)
    {
        var key = NameKey.Of(name);
        var slots = _slots;
        var slot = key.Hash() & _mask;
        while (true)
        {
            ref readonly var candidate = ref slots[slot];
            if (candidate.Index == 0) return -1;
            if (candidate.Holds(in key) && (name.Length <= KeyedLength || name.SequenceEqual(_names[candidate.Index - 1]))) return candidate.Index - 1;
            slot = (slot + 1) & _mask;
        }
    }

    public ref readonly ChildEntry EntryAt(int index) => ref _entries[index];

    private ChildFacts[]? _facts;

    /// <summary>
    /// The walk's facts about an entry, found on first use: the tables are complete and immutable once compiled (a
    /// racing first use builds the same facts).
    /// </summary>
    public ref readonly ChildFacts FactsAt(int index) => ref (_facts ?? BuildFacts())[index];

    private ChildFacts[] BuildFacts()
    {
        var facts = new ChildFacts[_entries.Length];
        for (var i = 0; i < facts.Length; i++)
        {
            var (node, slot, index, baseIndex) = _entries[i];
            var flags = ChildFlags.None;
            if (InvariantWalker.NeedsVisit(node, slot)) flags |= ChildFlags.NeedsVisit;
            if (InvariantWalker.IsLeafTrivial(node, slot, hasShadows: false)) flags |= ChildFlags.LeafTrivial;
            if (!node.IsArray && node.Max != 0) flags |= ChildFlags.SingleValue;
            if (!node.IsArray && node.Max != 0 && node.Fixed is null && node.Pattern is null) flags |= ChildFlags.SinglePlain;
            if (node.Binding is not null && slot.Primitive is PrimitiveKind.Code or PrimitiveKind.String or PrimitiveKind.Uri) flags |= ChildFlags.PrimitiveBinding;
            facts[i] = new ChildFacts(index, baseIndex, slot.Primitive, flags, slot.JsonName, slot.SubtreeId, slot.InvariantDependency);
        }
        Volatile.Write(ref _facts, facts);
        return facts;
    }

    /// <summary>A slot: the name's key, flat (24 bytes), and its entry's index + 1 (0: empty).</summary>
    private readonly struct NameSlot(NameKey key, int index)
    {
        public readonly ulong Head = key.Head;
        public readonly ulong Tail = key.Tail;
        public readonly int Length = key.Length;
        public readonly int Index = index;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Holds(in NameKey key) => Head == key.Head && Tail == key.Tail && Length == key.Length;
    }
}
