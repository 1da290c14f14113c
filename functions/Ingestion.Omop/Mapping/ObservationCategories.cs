using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// The Observation categories a file repeats (a handful: vital signs, laboratory, survey, ...), remembered by their
/// raw UTF-8 JSON with the table an unmapped code of that category goes to. A repeat then costs a comparison of those
/// bytes instead of a walk over the categories' codings. The result is the same as the walk's: a pure function of
/// that text. A few slots, reused in turn: memory is fixed. One per file (<see cref="MappedRows"/>); not thread-safe.
/// </summary>
internal sealed class ObservationCategories
{
    private const int SlotCount = 4;
    // Longer category arrays (not seen in practice) are walked every time rather than held.
    private const int MaxRawBytes = 256;

    private readonly Slot[] _slots = new Slot[SlotCount];
    private int _next;

    public ObservationCategories()
    {
        for (var i = 0; i < SlotCount; i++) _slots[i] = new Slot();
    }

    /// <summary>The table of <paramref name="categories"/> (as found: any kind), as <paramref name="tableOf"/>
    /// decides it, remembered by the array's raw text.</summary>
    public OmopTable TableOf(ResourceElement categories, Func<ResourceElement, OmopTable> tableOf)
    {
        if (categories.ValueKind != JsonValueKind.Array) return tableOf(categories);
        var raw = categories.RawUtf8;
        if (raw.Length > MaxRawBytes) return tableOf(categories);
        foreach (var slot in _slots)
        {
            if (slot.Table is not null && raw.SequenceEqual(slot.Raw.AsSpan(0, slot.Length))) return slot.Table;
        }
        var table = tableOf(categories);
        var fill = _slots[_next++ % SlotCount];
        raw.CopyTo(fill.Raw);
        (fill.Length, fill.Table) = (raw.Length, table);
        return table;
    }

    private sealed class Slot
    {
        public readonly byte[] Raw = new byte[MaxRawBytes];
        public int Length;
        public OmopTable? Table;
    }
}
