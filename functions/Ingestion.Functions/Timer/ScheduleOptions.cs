using Ingestion.Orchestration;

namespace Ingestion.Functions.Timer;

/// <summary>
/// The schedule timer's settings (section <c>Schedule</c>). The tick itself is the <c>ScheduleTickCron</c> app setting,
/// which the timer trigger's binding reads; each source's own schedule is <c>Sources__&lt;id&gt;__Schedule</c>.
/// </summary>
public sealed class ScheduleOptions
{
    public const string SectionName = "Schedule";

    /// <summary>How far back a tick looks for a slot it missed (host restart); longer than the tick period.</summary>
    public TimeSpan CatchUpWindow { get; set; } = SourceSchedule.DefaultCatchUpWindow;
}
