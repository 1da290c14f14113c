namespace Ingestion.Omop;

/// <summary>
/// preceding_visit_occurrence_id: per person, the visit that started before this one, ordered by start (the
/// datetime, else the date at midnight UTC) and then by key, so ties resolve the same way on every run. Fed with the
/// run's visits and, for an incremental run, the visits of the source's earlier runs; a visit added again replaces
/// the earlier entry (the newer row of a key wins). Memory grows with the number of visits: 32 bytes a visit in one
/// array (no dictionary), compacted to one entry per visit when read.
/// </summary>
public sealed class PrecedingVisitBuilder
{
    private readonly List<Entry> _visits = [];
    private long _sequence;
    // True while _visits holds one entry per visit in visit order (adds in increasing visit order keep it so).
    private bool _compact = true;

    public int Count
    {
        get
        {
            Compact();
            return _visits.Count;
        }
    }

    /// <summary>Adds (or replaces) a visit. <paramref name="startTicks"/>: UTC ticks of its start.</summary>
    public void Add(long visitId, long personId, long startTicks)
    {
        if (_visits.Count > 0 && _visits[^1].Visit >= visitId) _compact = false;
        _visits.Add(new Entry(visitId, personId, startTicks, _sequence++));
    }

    /// <summary>Every visit added, as (visit, person, start ticks) in visit order, for staging the next incremental
    /// run's input.</summary>
    public IEnumerable<(long VisitId, long PersonId, long StartTicks)> Visits()
    {
        Compact();
        for (var i = 0; i < _visits.Count; i++) yield return (_visits[i].Visit, _visits[i].Person, _visits[i].Start);
    }

    /// <summary>visit → the person's previous visit, for every visit that has one.</summary>
    public VisitPredecessors Preceding()
    {
        Compact();
        var ordered = new (long Person, long Start, long Visit)[_visits.Count];
        for (var i = 0; i < ordered.Length; i++) ordered[i] = (_visits[i].Person, _visits[i].Start, _visits[i].Visit);
        Array.Sort(ordered);
        var pairs = new List<(long Visit, long Preceding)>();
        for (var i = 1; i < ordered.Length; i++)
        {
            if (ordered[i].Person == ordered[i - 1].Person) pairs.Add((ordered[i].Visit, ordered[i - 1].Visit));
        }
        return new VisitPredecessors(pairs);
    }

    /// <summary>One entry per visit (the last added), in visit order.</summary>
    private void Compact()
    {
        if (_compact) return;
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_visits);
        span.Sort(static (a, b) => a.Visit != b.Visit ? a.Visit.CompareTo(b.Visit) : a.Sequence.CompareTo(b.Sequence));
        var kept = 0;
        for (var i = 0; i < span.Length; i++)
        {
            if (i + 1 < span.Length && span[i + 1].Visit == span[i].Visit) continue;
            span[kept++] = span[i];
        }
        _visits.RemoveRange(kept, _visits.Count - kept);
        _compact = true;
    }

    private readonly record struct Entry(long Visit, long Person, long Start, long Sequence);

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
