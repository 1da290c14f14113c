using Ingestion.RunApi;
using Microsoft.Azure.Functions.Worker;

namespace Ingestion.Functions.Timer;

/// <summary>
/// Evaluates every source's alert rules on a timer (NCRONTAB in the <c>AlertTickCron</c> app setting, e.g. every five
/// minutes), so a run that never ends raises its alert with nobody looking at the dashboard. Each condition fires once
/// (<see cref="RunAlertMonitor"/>): a metric and an <c>AlertFired</c> log event the infra's alert rules query.
/// </summary>
public sealed class AlertTimerFunction(RunAlertMonitor monitor)
{
    [Function("EvaluateAlerts")]
    public Task RunAsync([TimerTrigger("%AlertTickCron%")] TimerInfo timer, CancellationToken cancellationToken) =>
        monitor.EvaluateAsync(cancellationToken);
}
