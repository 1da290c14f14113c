using Ingestion.Omop;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Receives one resource's rows from the mapper (a synchronous call) so the activity can stream them to the
/// async Parquet writers right after; keeps per-person date bounds for observation_period; caps inferred dates at the
/// export's date.
/// </summary>
internal sealed class StagedRowSink(DateOnly? latestDate = null) : IOmopRowSink
{
    public DateOnly? LatestDate => latestDate;

    private readonly List<(OmopTable Table, object?[] Row)> _pending = [];

    public PersonDateRange PersonDates { get; } = new();

    public IReadOnlyList<(OmopTable Table, object?[] Row)> Pending => _pending;

    public void Add(OmopTable table, object?[] row) => _pending.Add((table, row));

    public void ObservePersonDate(long personId, DateOnly date) => PersonDates.Observe(personId, date);

    public void Clear() => _pending.Clear();
}
