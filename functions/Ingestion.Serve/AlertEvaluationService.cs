using Ingestion.RunApi;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingestion.Serve;

/// <summary>
/// serve's counterpart of the Functions alert timer: evaluates the alert rules at start and then every
/// <see cref="RunAlertOptions.EvaluationPeriod"/> (on the host's <see cref="TimeProvider"/>). A failed evaluation is
/// logged by its error type and retried at the next tick; it never stops the host.
/// </summary>
public sealed partial class AlertEvaluationService : BackgroundService
{
    private readonly RunAlertMonitor _monitor;
    private readonly TimeSpan _period;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertEvaluationService> _log;

    public AlertEvaluationService(RunAlertMonitor monitor, RunAlertOptions options, TimeProvider time, ILogger<AlertEvaluationService> log)
    {
        // Checked when the host starts, not at the first tick.
        if (options.EvaluationPeriod <= TimeSpan.Zero)
            throw new ServeConfigurationException($"Alerts:EvaluationPeriod must be a positive time span (e.g. 00:01:00), not {options.EvaluationPeriod}.");
        (_monitor, _period, _time, _log) = (monitor, options.EvaluationPeriod, time, log);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_period, _time);
        do
        {
            try
            {
                await _monitor.EvaluateAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The type only: a message may quote a catalog row.
                EvaluationFailed(_log, e.GetType().FullName ?? e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 1703, EventName = "AlertEvaluationFailed", Level = LogLevel.Error, Message = "Alert evaluation failed ({ErrorType}); retrying at the next tick.")]
    private static partial void EvaluationFailed(ILogger logger, string errorType);
}
