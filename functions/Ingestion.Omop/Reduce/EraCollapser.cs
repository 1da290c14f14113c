namespace Ingestion.Omop;

/// <summary>
/// The OHDSI era rule shared by condition_era and drug_era: a person's intervals of one concept, sorted by start,
/// join the current era while they start no more than <see cref="PersistenceWindowDays"/> days after its end (a gap
/// of exactly 30 days joins, 31 starts a new era). Also reports the days inside the era no interval covers (drug_era
/// gap_days).
/// </summary>
public static class EraCollapser
{
    /// <summary>The OHDSI persistence window.</summary>
    public const int PersistenceWindowDays = 30;

    public readonly record struct Era(DateOnly Start, DateOnly End, int Count, int GapDays);

    /// <summary>Eras of one person and concept; <paramref name="intervals"/> is sorted in place.</summary>
    public static IEnumerable<Era> Collapse(List<(DateOnly Start, DateOnly End)> intervals)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        if (intervals.Count == 0) yield break;
        intervals.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End));
        var (eraStart, eraEnd) = intervals[0];
        var count = 1;
        var covered = eraEnd.DayNumber - eraStart.DayNumber; // days covered by the union of intervals so far
        for (var i = 1; i < intervals.Count; i++)
        {
            var (start, end) = intervals[i];
            if (start.DayNumber <= eraEnd.DayNumber + PersistenceWindowDays)
            {
                // Only the part beyond the current end adds coverage (intervals are sorted by start).
                if (end > eraEnd)
                {
                    covered += end.DayNumber - Math.Max(start.DayNumber, eraEnd.DayNumber);
                    eraEnd = end;
                }
                count++;
                continue;
            }
            yield return new Era(eraStart, eraEnd, count, eraEnd.DayNumber - eraStart.DayNumber - covered);
            (eraStart, eraEnd, count, covered) = (start, end, 1, end.DayNumber - start.DayNumber);
        }
        yield return new Era(eraStart, eraEnd, count, eraEnd.DayNumber - eraStart.DayNumber - covered);
    }
}
