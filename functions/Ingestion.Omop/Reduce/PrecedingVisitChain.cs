namespace Ingestion.Omop;

/// <summary>
/// preceding_visit_occurrence_id: per person, the visit that started before this one, ordered by start (the
/// datetime, else the date at midnight UTC; <see cref="StartTicksOf"/>) and then by key, so ties resolve the same way on
/// every run. Streaming: fed the visits in that order (<see cref="Compare"/>: person, start, visit), it says each one's
/// predecessor while holding only the last visit, so memory does not grow with the visits (the fan-in sorts them on
/// disk first).
/// </summary>
public sealed class PrecedingVisitChain
{
    private long _person;
    private long _last;
    private bool _started;

    /// <summary>The next visit in (person, start, visit) order: returns the same person's previous visit, if any.</summary>
    public long? Next(long personId, long visitId)
    {
        long? preceding = _started && _person == personId ? _last : null;
        (_person, _last, _started) = (personId, visitId, true);
        return preceding;
    }

    /// <summary>The order the chain is fed in: person, then start ticks, then visit key.</summary>
    public static int Compare(long personA, long startA, long visitA, long personB, long startB, long visitB) =>
        personA != personB ? personA.CompareTo(personB) : startA != startB ? startA.CompareTo(startB) : visitA.CompareTo(visitB);

    /// <summary>The start a visit row is ordered by: visit_start_datetime, else visit_start_date at midnight (UTC ticks).</summary>
    public static long StartTicksOf(OmopRowBuffer visits, int row)
    {
        ArgumentNullException.ThrowIfNull(visits);
        return !visits.IsNull(row, StartDateTimeIndex) ? visits.Ticks(row, StartDateTimeIndex)
            : !visits.IsNull(row, StartDateIndex) ? visits.Date(row, StartDateIndex).ToDateTime(TimeOnly.MinValue).Ticks : 0;
    }

    private static readonly int StartDateIndex = CdmTables.VisitOccurrence.IndexOf("visit_start_date");
    private static readonly int StartDateTimeIndex = CdmTables.VisitOccurrence.IndexOf("visit_start_datetime");

    /// <summary>The column the chain fills.</summary>
    public static int PrecedingIndex { get; } = CdmTables.VisitOccurrence.IndexOf("preceding_visit_occurrence_id");
}
