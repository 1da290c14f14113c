using Ingestion.Orchestration;
using Ingestion.RunApi;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Ingestion.Functions.Timer;

/// <summary>
/// One timer for every source (NCRONTAB in the <c>ScheduleTickCron</c> app setting, e.g. every minute): starts each
/// source whose slot is due, once per slot (the slot names the run), never while the source has a run.
/// </summary>
public sealed class ScheduleTimerFunction(SourceSchedule schedule, ExportRunStarterFactory starters, ScheduleOptions options, TimeProvider time, ILogger<ScheduleTimerFunction> log)
{
    [Function("ScheduledExports")]
    public async Task RunAsync([TimerTrigger("%ScheduleTickCron%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var starter = starters.Create(client);
        foreach (var (sourceId, slot) in schedule.Due(time.GetUtcNow(), options.CatchUpWindow))
        {
            var result = await starter.StartScheduledAsync(sourceId, slot, cancellationToken);
            log.LogInformation("Schedule slot {Slot:O} of source {SourceId}: {Outcome} ({RunId}).", slot, sourceId, result.Outcome, result.RunId);
        }
    }
}
