namespace Ingestion.Orchestration;

/// <summary>
/// A source's alert thresholds (e.g. <c>Sources__ehr1__Alerts__MaxRunDuration=02:00:00</c>). An unset threshold
/// raises nothing; a failed run always raises an alert.
/// </summary>
public sealed class SourceAlertOptions
{
    /// <summary>The SLA: a run still going after this long is an alert.</summary>
    public TimeSpan? MaxRunDuration { get; set; }

    /// <summary>Schedule slots in a row without a successful run before an alert (scheduled sources only).</summary>
    public int MissedSlots { get; set; } = 2;

    /// <summary>Largest accepted drop of resources read against the previous completed run, as a fraction (0.3 = 30 %).</summary>
    public double? MaxVolumeDrop { get; set; }

    /// <summary>Largest accepted rise of the concept-0 rate against the previous completed run, in percentage points.</summary>
    public double? MaxConceptZeroIncrease { get; set; }
}
