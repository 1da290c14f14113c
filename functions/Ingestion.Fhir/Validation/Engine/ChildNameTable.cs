using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// A table's JSON property names → elements, looked up by the raw UTF-8 name the walks read from the document: no
/// transcoding to chars and no string hash per property (both walks look up every property of every object). Open
/// addressing over a power-of-two slot array, hashed from the name's length and its first and last eight (or four) bytes;
/// built once per compiled table, immutable afterwards.
/// </summary>
internal sealed class ChildNameTable
{
    private readonly byte[][] _names;
    private readonly ChildEntry[] _entries;
    private readonly int[] _slots; // index into _names/_entries + 1; 0 = empty
    private readonly int _mask;

    public ChildNameTable(IReadOnlyDictionary<string, ChildEntry> byName)
    {
        _names = new byte[byName.Count][];
        _entries = new ChildEntry[byName.Count];
        var size = 4;
        while (size < byName.Count * 2) size *= 2;
        _slots = new int[size];
        _mask = size - 1;
        var i = 0;
        foreach (var (name, entry) in byName)
        {
            _names[i] = Encoding.UTF8.GetBytes(name);
            _entries[i] = entry;
            var slot = Hash(_names[i]) & _mask;
            while (_slots[slot] != 0) slot = (slot + 1) & _mask;
            _slots[slot] = ++i;
        }
        AllPlain = _names.All(n => n.All(b => b < 0x80 && b != (byte)'\\'));
    }

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
        var slot = Hash(name) & _mask;
        while (_slots[slot] is var index and not 0)
        {
            if (name.SequenceEqual(_names[index - 1])) return index - 1;
            slot = (slot + 1) & _mask;
        }
        return -1;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> name)
    {
        ulong head, tail;
        if (name.Length >= 8)
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(name);
            tail = BinaryPrimitives.ReadUInt64LittleEndian(name[^8..]);
        }
        else if (name.Length >= 4)
        {
            // Two overlapping four-byte reads cover the name (most element names are this short): no loop per byte.
            head = BinaryPrimitives.ReadUInt32LittleEndian(name);
            tail = BinaryPrimitives.ReadUInt32LittleEndian(name[^4..]);
        }
        else
        {
            head = name.Length == 0 ? 0 : name[0] | (ulong)name[name.Length >> 1] << 8 | (ulong)name[^1] << 16;
            tail = 0;
        }
        var h = (head * 0x9E3779B97F4A7C15UL) ^ (tail * 0xC2B2AE3D27D4EB4FUL) ^ (ulong)name.Length;
        return (int)(h ^ (h >> 29) ^ (h >> 47)) & int.MaxValue;
    }
}
