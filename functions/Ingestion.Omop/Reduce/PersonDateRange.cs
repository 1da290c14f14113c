namespace Ingestion.Omop;

/// <summary>
/// Per-person earliest and latest event date within one file: what <see cref="MappedRows.PersonDates"/> keeps of the
/// mapped resources' events, emitted as <see cref="CdmTables.PersonDateBounds"/> rows.
/// Memory grows with the number of persons in the file, not with its size. Not thread-safe.
/// </summary>
public sealed class PersonDateRange
{
    private readonly Dictionary<long, (DateOnly Min, DateOnly Max)> _bounds = new();
    // The last person's bounds, outside the dictionary until another person comes or a reader asks: a file's
    // resources come person by person, so most dates (every event's start and end) are two comparisons, not a lookup.
    private long _current;
    private (DateOnly Min, DateOnly Max) _currentBounds;
    private bool _hasCurrent;

    public int PersonCount
    {
        get
        {
            Flush();
            return _bounds.Count;
        }
    }

    public void Observe(long personId, DateOnly date)
    {
        if (!_hasCurrent || personId != _current)
        {
            Flush();
            _current = personId;
            _currentBounds = _bounds.TryGetValue(personId, out var seen) ? seen : (date, date);
            _hasCurrent = true;
        }
        if (date < _currentBounds.Min) _currentBounds.Min = date;
        else if (date > _currentBounds.Max) _currentBounds.Max = date;
    }

    /// <summary>Each person's bounds, ordered by person_id so the output is identical on every run.</summary>
    public IEnumerable<(long Person, DateOnly Min, DateOnly Max)> Bounds()
    {
        // Flushed when enumerated, as the dictionary's live view was read then.
        Flush();
        foreach (var (person, (min, max)) in _bounds.OrderBy(kv => kv.Key)) yield return (person, min, max);
    }

    /// <summary>person_date_bounds rows, ordered by person_id.</summary>
    public IEnumerable<object?[]> Rows() => Bounds().Select(b => new object?[] { b.Person, b.Min, b.Max });

    private void Flush()
    {
        if (_hasCurrent) _bounds[_current] = _currentBounds;
    }
}
