namespace Ingestion.Omop;

/// <summary>The rows and person dates of one resource, held until the resource is known to map.</summary>
internal sealed class BufferedRows(DateOnly? latestDate = null)
{
    /// <summary>The sink's <see cref="IOmopRowSink.LatestDate"/>: the cap of inferred dates.</summary>
    public DateOnly? LatestDate => latestDate;

    private readonly List<(OmopTable Table, object?[] Row, bool ConceptMapped)> _rows = new(2);
    private readonly List<(long Person, DateOnly Date)> _dates = new(2);

    public int Count => _rows.Count;

    public void Add(OmopTable table, object?[] row, bool conceptMapped) => _rows.Add((table, row, conceptMapped));

    public void ObservePersonDate(long personId, DateOnly date) => _dates.Add((personId, date));

    public void FlushTo(IOmopRowSink sink, MappingReport report)
    {
        foreach (var (table, row, mapped) in _rows)
        {
            sink.Add(table, row);
            report.RecordRow(table.Name, mapped);
        }
        foreach (var (person, date) in _dates) sink.ObservePersonDate(person, date);
    }
}
