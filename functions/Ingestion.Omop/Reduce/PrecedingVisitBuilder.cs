namespace Ingestion.Omop;

/// <summary>
/// preceding_visit_occurrence_id: per person, the visit that started before this one, ordered by start (the
/// datetime, else the date at midnight UTC) and then by key, so ties resolve the same way on every run. Fed with the
/// run's visits and, for an incremental run, the visits of the source's earlier runs; a visit added again replaces
/// the earlier entry (the newer row of a key wins). Memory grows with the number of visits.
/// </summary>
public sealed class PrecedingVisitBuilder
{
    private readonly Dictionary<long, (long Person, long Start)> _visits = [];

    public int Count => _visits.Count;

    /// <summary>Adds (or replaces) a visit. <paramref name="startTicks"/>: UTC ticks of its start.</summary>
    public void Add(long visitId, long personId, long startTicks) => _visits[visitId] = (personId, startTicks);

    /// <summary>Every visit added, as (visit, person, start ticks), for staging the next incremental run's input.</summary>
    public IEnumerable<(long VisitId, long PersonId, long StartTicks)> Visits() =>
        _visits.OrderBy(v => v.Key).Select(v => (v.Key, v.Value.Person, v.Value.Start));

    /// <summary>visit → the person's previous visit, for every visit that has one.</summary>
    public Dictionary<long, long> Preceding()
    {
        var ordered = _visits.Select(v => (Visit: v.Key, v.Value.Person, v.Value.Start)).ToArray();
        Array.Sort(ordered, static (a, b) =>
        {
            var c = a.Person.CompareTo(b.Person);
            if (c == 0) c = a.Start.CompareTo(b.Start);
            return c != 0 ? c : a.Visit.CompareTo(b.Visit);
        });
        var preceding = new Dictionary<long, long>(ordered.Length);
        for (var i = 1; i < ordered.Length; i++)
        {
            if (ordered[i].Person == ordered[i - 1].Person) preceding[ordered[i].Visit] = ordered[i - 1].Visit;
        }
        return preceding;
    }

    /// <summary>The start a visit row is ordered by: visit_start_datetime, else visit_start_date at midnight (UTC ticks).</summary>
    public static long StartTicksOf(OmopRowBuffer visits, int row)
    {
        ArgumentNullException.ThrowIfNull(visits);
        return !visits.IsNull(row, StartDateTimeIndex) ? visits.Ticks(row, StartDateTimeIndex)
            : !visits.IsNull(row, StartDateIndex) ? visits.Date(row, StartDateIndex).ToDateTime(TimeOnly.MinValue).Ticks : 0;
    }

    private static readonly int StartDateIndex = CdmTables.VisitOccurrence.IndexOf("visit_start_date");
    private static readonly int StartDateTimeIndex = CdmTables.VisitOccurrence.IndexOf("visit_start_datetime");

    /// <summary>The column this builder fills.</summary>
    public static int PrecedingIndex { get; } = CdmTables.VisitOccurrence.IndexOf("preceding_visit_occurrence_id");
}
