using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Ingestion.Orchestration;
using Ingestion.Storage.Catalog;
using Microsoft.Extensions.Logging;

namespace Ingestion.RunApi;

/// <summary>
/// Runs <see cref="RunAlertEvaluator"/> (from the Functions timer, serve's background service and <c>GET /api/alerts</c>)
/// and makes its results something Azure Monitor can alert on: the <c>ingestion.alerts.active</c> gauge, the
/// <c>ingestion.alerts.fired</c> counter and one <see cref="RunAlertLog.AlertFired"/> log event (EventId 1701) per
/// condition, when it begins — not on every evaluation. A condition is a kind, a source and a run; its firing is
/// recorded in the run catalog's audit trail (the run's, or the source's for <c>no-recent-success</c>) under a
/// deterministic entry id, so a restarted process or another instance does not fire it again.
/// </summary>
public sealed class RunAlertMonitor
{
    public const string AuditAction = "AlertFired";

    private readonly RunAlertEvaluator _evaluator;
    private readonly IRunCatalog _catalog;
    private readonly PipelineTelemetry _telemetry;
    private readonly ILogger<RunAlertMonitor> _log;
    // One evaluation at a time: the timer and an operator's GET may overlap.
    private readonly SemaphoreSlim _gate = new(1, 1);
    // Conditions seen active by this process (key → alert), so the catalog is asked only about new ones.
    private readonly Dictionary<string, RunAlert> _known = new(StringComparer.Ordinal);
    // The last evaluation, swapped whole (the gauge reads it from the metrics thread).
    private RunAlertListPayload? _last;

    public RunAlertMonitor(RunAlertEvaluator evaluator, IRunCatalog catalog, PipelineTelemetry telemetry, ILogger<RunAlertMonitor> log)
    {
        _evaluator = evaluator;
        _catalog = catalog;
        _telemetry = telemetry;
        _log = log;
        telemetry.ObserveAlerts(() => (_last?.Alerts ?? ImmutableArray<RunAlert>.Empty)
            .GroupBy(a => (a.Kind, a.SourceId))
            .Select(g => new Measurement<long>(g.Count(), Tag(KindTag, g.Key.Kind), Tag(SourceTag, g.Key.SourceId))));
    }

    private const string KindTag = "ingestion.alert.kind";
    private const string SourceTag = "ingestion.source.id";

    /// <summary>The last evaluation's result (null before the first).</summary>
    public RunAlertListPayload? LastEvaluation => _last;

    /// <summary>Evaluates every source's rules, fires the conditions that began and forgets those that ended.</summary>
    public async Task<RunAlertListPayload> EvaluateAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await _evaluator.EvaluateAsync(cancellationToken).ConfigureAwait(false);
            var active = new HashSet<string>(StringComparer.Ordinal);
            foreach (var alert in result.Alerts)
            {
                var (scope, entryId) = AuditKey(alert);
                var key = scope + "|" + entryId;
                active.Add(key);
                if (_known.ContainsKey(key)) continue;
                if (!await RecordedAsync(scope, entryId, cancellationToken).ConfigureAwait(false))
                {
                    await _catalog.AppendAuditAsync(new AuditEntry(scope, entryId, AuditAction, result.EvaluatedAt)
                    {
                        Actor = "alerts",
                        Detail = alert.Kind + ": " + alert.Detail,
                    }, cancellationToken).ConfigureAwait(false);
                    _telemetry.AlertsFired.Add(1, Tag(KindTag, alert.Kind), Tag(SourceTag, alert.SourceId));
                    RunAlertLog.AlertFired(_log, alert.Kind, alert.SourceId, alert.RunId ?? "", alert.Detail);
                }
                _known[key] = alert;
            }
            foreach (var ended in _known.Where(k => !active.Contains(k.Key)).ToList())
            {
                _known.Remove(ended.Key);
                RunAlertLog.AlertEnded(_log, ended.Value.Kind, ended.Value.SourceId, ended.Value.RunId ?? "");
            }
            _telemetry.AlertEvaluations.Add(1);
            _last = result;
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Where a condition's firing is recorded: on its run (run-over-sla, run-failed, volume-drop, concept-zero-spike
    /// name the run they are about); no-recent-success on the source, keyed by the last success it counts from.
    /// </summary>
    private static (string Scope, string EntryId) AuditKey(RunAlert alert) =>
        alert.Kind == RunAlert.NoRecentSuccess || alert.RunId is null
            ? ("source:" + alert.SourceId, $"alert:{alert.Kind}:{alert.RunId ?? "never"}")
            : (alert.RunId, "alert:" + alert.Kind);

    private async Task<bool> RecordedAsync(string scope, string entryId, CancellationToken cancellationToken)
    {
        await foreach (var entry in _catalog.ListAuditAsync(scope, cancellationToken).ConfigureAwait(false))
        {
            if (entry.EntryId == entryId) return true;
        }
        return false;
    }

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);
}
