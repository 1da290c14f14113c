namespace Ingestion.Fhir.Tests.BulkData;

/// <summary>A clock tests set and advance; timers (Task.Delay) still run in real time, so tests keep delays tiny.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}
