using NCrontab;

namespace Ingestion.Orchestration;

/// <summary>
/// Which sources are due at a timer tick, and for which slot: the latest occurrence of each source's NCRONTAB schedule
/// within the catch-up window before now. Ticks land at any time; the slot (not the tick) names the run
/// (<see cref="RunIds.ForSchedule"/>), so every tick inside the window after a slot asks for the same run, and a
/// missed tick is caught up by the next one.
/// </summary>
public sealed class SourceSchedule(SourcesOptions sources)
{
    /// <summary>How far back a tick looks for a missed slot (a host restart, a late timer).</summary>
    public static readonly TimeSpan DefaultCatchUpWindow = TimeSpan.FromMinutes(10);

    /// <summary>The sources with a slot in (now − window, now], with that slot (UTC).</summary>
    public IReadOnlyList<(string SourceId, DateTimeOffset Slot)> Due(DateTimeOffset now, TimeSpan catchUpWindow)
    {
        var due = new List<(string, DateTimeOffset)>();
        var end = now.UtcDateTime;
        var start = end - catchUpWindow;
        foreach (var source in sources.Sources.Values.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(source.Schedule)) continue;
            var schedule = Parse(source);
            // GetNextOccurrences excludes both ends: start one tick early so a slot exactly at now counts.
            var slots = schedule.GetNextOccurrences(start, end.AddTicks(1));
            if (slots.LastOrDefault() is var slot && slot != default) due.Add((source.Id, new DateTimeOffset(slot, TimeSpan.Zero)));
        }
        return due;
    }

    /// <summary>The source's next slot after <paramref name="now"/> (UTC), or null when it is not scheduled.</summary>
    public DateTimeOffset? Next(string sourceId, DateTimeOffset now)
    {
        if (!sources.Sources.TryGetValue(sourceId, out var source) || string.IsNullOrWhiteSpace(source.Schedule)) return null;
        return new DateTimeOffset(Parse(source).GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
    }

    /// <summary>How many of the source's slots fall in (from, to]; 0 when it is not scheduled.</summary>
    public int SlotsBetween(string sourceId, DateTimeOffset from, DateTimeOffset to)
    {
        if (!sources.Sources.TryGetValue(sourceId, out var source) || string.IsNullOrWhiteSpace(source.Schedule) || to <= from) return 0;
        return Parse(source).GetNextOccurrences(from.UtcDateTime, to.UtcDateTime.AddTicks(1)).Take(10_000).Count();
    }

    /// <summary>Checks every configured schedule (at start-up, so a typo fails the host, not a night's run).</summary>
    public void Validate()
    {
        foreach (var source in sources.Sources.Values)
            if (!string.IsNullOrWhiteSpace(source.Schedule)) Parse(source);
    }

    private static CrontabSchedule Parse(SourceDefinition source)
    {
        var fields = source.Schedule!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CrontabSchedule.TryParse(source.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 })
            ?? throw new InvalidOperationException($"Source '{source.Id}': Schedule is not an NCRONTAB expression (5 fields, or 6 with seconds).");
    }
}
