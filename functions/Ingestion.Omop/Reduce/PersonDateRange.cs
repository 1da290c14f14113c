namespace Ingestion.Omop;

/// <summary>
/// Per-person earliest and latest event date within one file: what <see cref="MappedRows.PersonDates"/> keeps of the
/// mapped resources' events, emitted as <see cref="CdmTables.PersonDateBounds"/> rows.
/// Memory grows with the number of persons in the file, not with its size. Not thread-safe.
/// </summary>
public sealed class PersonDateRange
{
    private readonly Dictionary<long, (DateOnly Min, DateOnly Max)> _bounds = new();

    public int PersonCount => _bounds.Count;

    public void Observe(long personId, DateOnly date)
    {
        // One lookup per date (every event's start and end come here).
        ref var bounds = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_bounds, personId, out var seen);
        if (!seen) bounds = (date, date);
        else if (date < bounds.Min) bounds.Min = date;
        else if (date > bounds.Max) bounds.Max = date;
    }

    /// <summary>Each person's bounds, ordered by person_id so the output is identical on every run.</summary>
    public IEnumerable<(long Person, DateOnly Min, DateOnly Max)> Bounds() =>
        _bounds.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.Min, kv.Value.Max));

    /// <summary>person_date_bounds rows, ordered by person_id.</summary>
    public IEnumerable<object?[]> Rows() => Bounds().Select(b => new object?[] { b.Person, b.Min, b.Max });
}
