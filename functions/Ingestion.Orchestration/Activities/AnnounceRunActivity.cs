using Ingestion.Storage;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>Announces the run's end (RunCompleted / RunFailed) with a deterministic event id, so a re-sent event is a duplicate.</summary>
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
        await events.PublishAsync(new RunEvent($"{announcement.RunId}:{type}", type, announcement.RunId, announcement.SourceId, time.GetUtcNow())
        {
            ManifestLocation = announcement.ManifestPath,
            Reason = announcement.Reason,
            Counts = counts,
        }, ct).ConfigureAwait(false);
        return true;
    }
}
