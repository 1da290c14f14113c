using System.Globalization;
using Ingestion.Orchestration;
using Ingestion.Storage.Catalog;

namespace Ingestion.RunApi;

/// <summary>
/// Evaluates every source's alert rules (<see cref="SourceAlertOptions"/>) over the run catalog: a run past its SLA,
/// the latest run failed, no success for N schedule slots, and a volume drop or concept-0 spike against the previous
/// completed run. It only reads: <see cref="RunAlertMonitor"/> turns its results into metrics and events.
/// </summary>
public sealed class RunAlertEvaluator
{
    private const int SourceHistoryWindow = 50;
    private readonly IRunCatalog _catalog;
    private readonly SourcesOptions _sources;
    private readonly SourceSchedule _schedule;
    private readonly TimeProvider _time;

    public RunAlertEvaluator(IRunCatalog catalog, SourcesOptions sources, SourceSchedule schedule, TimeProvider time)
    {
        _catalog = catalog;
        _sources = sources;
        _schedule = schedule;
        _time = time;
    }

    public async Task<RunAlertListPayload> EvaluateAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var alerts = new List<RunAlert>();
        foreach (var source in _sources.Sources.Values.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var rules = source.Alerts;
            var runs = (await _catalog.ListRunsAsync(new RunQuery { SourceId = source.Id, PageSize = SourceHistoryWindow }, cancellationToken)).Runs;

            foreach (var running in runs.Where(r => !r.IsTerminal))
            {
                var age = now - running.CreatedAt;
                if (rules.MaxRunDuration is { } sla && age > sla)
                    alerts.Add(new RunAlert(RunAlert.RunOverSla, source.Id, running.RunId, $"In phase {running.Phase} for {Minutes(age)} min; the SLA is {Minutes(sla)} min."));
            }
            if (runs.FirstOrDefault(r => r.IsTerminal) is { Status: RunRecordStatus.Failed or RunRecordStatus.Terminated } failed)
                alerts.Add(new RunAlert(RunAlert.RunFailed, source.Id, failed.RunId, $"{failed.Status}: {failed.FailureReason ?? "no reason recorded"}."));

            var completed = runs.Where(r => r.Status == RunRecordStatus.Completed).Take(2).ToList();
            var since = completed.Count > 0 ? completed[0].CreatedAt : runs.Count > 0 ? runs[^1].CreatedAt : (DateTimeOffset?)null;
            if (since is { } from && _schedule.SlotsBetween(source.Id, from, now) is var missed && missed >= Math.Max(1, rules.MissedSlots))
                alerts.Add(new RunAlert(RunAlert.NoRecentSuccess, source.Id, completed.FirstOrDefault()?.RunId, $"{missed} schedule slots without a successful run."));

            if (completed.Count == 2)
            {
                var (latest, previous) = (completed[0], completed[1]);
                if (rules.MaxVolumeDrop is { } maxDrop && previous.Counters.ResourcesRead > 0)
                {
                    var drop = 1 - latest.Counters.ResourcesRead / (double)previous.Counters.ResourcesRead;
                    if (drop > maxDrop)
                        alerts.Add(new RunAlert(RunAlert.VolumeDrop, source.Id, latest.RunId, $"{Percent(drop)} % fewer resources than run {previous.RunId} (threshold {Percent(maxDrop)} %)."));
                }
                if (rules.MaxConceptZeroIncrease is { } maxRise && ConceptZeroRate.Of(latest.Counters) is { } rate && ConceptZeroRate.Of(previous.Counters) is { } before)
                {
                    var rise = (rate - before) * 100;
                    if (rise > maxRise)
                        alerts.Add(new RunAlert(RunAlert.ConceptZeroSpike, source.Id, latest.RunId, $"Concept-0 rate up {rise.ToString("0.0", CultureInfo.InvariantCulture)} points against run {previous.RunId} (threshold {maxRise.ToString("0.0", CultureInfo.InvariantCulture)})."));
                }
            }
        }
        return new RunAlertListPayload(now, alerts);
    }

    private static string Minutes(TimeSpan span) => ((long)span.TotalMinutes).ToString(CultureInfo.InvariantCulture);
    private static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture);
}
