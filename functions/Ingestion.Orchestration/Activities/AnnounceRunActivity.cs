using Ingestion.Storage;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>
/// Announces the run's end (RunCompleted / RunFailed) with a deterministic event id, so a re-sent event is a duplicate.
/// Returns whether it was delivered; an undelivered event is recorded on the run, never thrown.
/// </summary>
public sealed class AnnounceRunActivity(IRunCatalog catalog, IRunEventPublisher events, TimeProvider time) : TaskActivity<RunAnnouncement, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, RunAnnouncement announcement)
    {
        var ct = CancellationToken.None;
        var type = announcement.Outcome == RunOutcome.Completed ? RunEventType.RunCompleted : RunEventType.RunFailed;
        var run = await catalog.GetRunAsync(announcement.RunId, ct).ConfigureAwait(false);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (run is not null)
        {
            counts["filesDone"] = run.Counters.FilesDone;
            counts["filesFailed"] = run.Counters.FilesFailed;
            counts["resourcesRead"] = run.Counters.ResourcesRead;
            counts["resourcesMapped"] = run.Counters.ResourcesMapped;
            counts["resourcesQuarantined"] = run.Counters.ResourcesQuarantined;
            counts["resourcesUnmapped"] = run.Counters.ResourcesUnmapped;
        }
        var delivery = await events.PublishAsync(new RunEvent($"{announcement.RunId}:{type}", type, announcement.RunId, announcement.SourceId, time.GetUtcNow())
        {
            ManifestLocation = announcement.ManifestPath,
            Reason = announcement.Reason,
            Counts = counts,
        }, ct).ConfigureAwait(false);
        if (!delivery.Delivered)
        {
            // A failed announcement never fails a published run: it is recorded where operators look.
            var note = $"{type}: {delivery.ErrorCode}";
            await catalog.UpdateRunAsync(announcement.RunId, r => r.EventsNotSent.Contains(note) ? r : r with { EventsNotSent = [.. r.EventsNotSent, note] }, ct).ConfigureAwait(false);
        }
        return delivery.Delivered;
    }
}
