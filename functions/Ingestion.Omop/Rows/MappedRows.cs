namespace Ingestion.Omop;

/// <summary>
/// Where the mapper puts rows: one typed <see cref="OmopRowBuffer"/> per table, the rows in the order the mapper made
/// them (<see cref="Rows"/>), and each person's dated events for observation_period (<see cref="PersonDates"/>). A
/// resource's rows count only once it is known to map: the mapper commits them, or discards them (a resource
/// quarantined half-way leaves nothing behind). The reader takes the committed rows and calls <see cref="Clear"/>;
/// the buffers are reused, so memory is the largest batch of rows between two clears. One per file; not thread-safe.
/// </summary>
public sealed class MappedRows(DateOnly? latestDate = null)
{
    private readonly Dictionary<OmopTable, OmopRowBuffer> _buffers = new(ReferenceEqualityComparer.Instance);
    private readonly List<(OmopRowBuffer Rows, int Row)> _committed = [];
    private readonly List<(OmopRowBuffer Rows, int Row, bool ConceptMapped)> _open = new(4);
    private readonly List<(long Person, DateOnly Date)> _openDates = new(4);

    /// <summary>The UTC date of the export's transactionTime, when known: a date the mapping infers rather than reads
    /// (a prescription's end from its days supply) is capped there, so no date lies after the export (DQD's
    /// plausibleValueHigh; the CDM does the same for visits still ongoing). Dates read from the data are shifted back
    /// by the de-identifier and need no cap.</summary>
    public DateOnly? LatestDate => latestDate;

    /// <summary>The file's recently seen references, with their ids and keys (the mapper's per-file memo).</summary>
    internal ReferenceIds References { get; } = new();

    /// <summary>The file's repeated codings, with the source codes they resolve to (the mapper's per-file memo).</summary>
    internal SourceCodeMemo Codings { get; } = new();

    /// <summary>The file's repeated Observation categories, with the table they send unmapped codes to (the mapper's per-file memo).</summary>
    internal ObservationCategories Categories { get; } = new();

    /// <summary>The file's repeated dates per patient, with their shifted values (the mapper's per-file memo).</summary>
    internal ShiftedDates Dates { get; } = new();

    /// <summary>Per person, the earliest and latest date of the committed rows' events.</summary>
    public PersonDateRange PersonDates { get; } = new();

    /// <summary>The committed rows since the last <see cref="Clear"/>, in the order the mapper made them.</summary>
    public IReadOnlyList<(OmopRowBuffer Rows, int Row)> Rows => _committed;

    /// <summary>Empties every buffer (after the reader has written the rows out).</summary>
    public void Clear()
    {
        if (_open.Count > 0) throw new InvalidOperationException("A resource's rows are still open.");
        foreach (var buffer in _buffers.Values) buffer.Clear();
        _committed.Clear();
    }

    /// <summary>Opens a row of <paramref name="table"/> for the resource being mapped.</summary>
    internal OmopRowWriter Add(OmopTable table, bool conceptMapped)
    {
        if (!_buffers.TryGetValue(table, out var buffer)) _buffers.Add(table, buffer = new OmopRowBuffer(table));
        var row = buffer.Add();
        _open.Add((buffer, row.Row, conceptMapped));
        return row;
    }

    /// <summary>Rows opened for the resource being mapped.</summary>
    internal int OpenCount => _open.Count;

    /// <summary>One dated event of a person, kept when the resource's rows are committed.</summary>
    internal void ObservePersonDate(long personId, DateOnly date) => _openDates.Add((personId, date));

    /// <summary>The resource maps: its rows join <see cref="Rows"/>, are counted in the report, and its dates count.</summary>
    internal void Commit(MappingReport report)
    {
        foreach (var (rows, row, conceptMapped) in _open)
        {
            _committed.Add((rows, row));
            report.RecordRow(rows.Table.Name, conceptMapped);
        }
        foreach (var (person, date) in _openDates) PersonDates.Observe(person, date);
        _open.Clear();
        _openDates.Clear();
    }

    /// <summary>The resource does not map: its rows and dates are dropped.</summary>
    internal void Discard()
    {
        // Open rows are the last of their buffers: truncating at each, last first, leaves the committed ones.
        for (var i = _open.Count - 1; i >= 0; i--) _open[i].Rows.Truncate(_open[i].Row);
        _open.Clear();
        _openDates.Clear();
    }
}
