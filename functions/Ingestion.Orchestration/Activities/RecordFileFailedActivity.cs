using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>Marks a file failed (its retries are spent or it cannot succeed) with the reason, and counts it once.</summary>
public sealed class RecordFileFailedActivity(IRunCatalog catalog, TimeProvider time) : TaskActivity<FileFailure, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, FileFailure failure)
    {
        var ct = CancellationToken.None;
        var wasFailed = false;
        await catalog.UpdateFileAsync(failure.RunId, failure.Index, f =>
        {
            wasFailed = f.Status == RunFileStatus.Failed;
            return f with { Status = RunFileStatus.Failed, CompletedAt = time.GetUtcNow(), FailureReason = failure.Reason };
        }, ct).ConfigureAwait(false);
        if (!wasFailed) await catalog.AddToCountersAsync(failure.RunId, new RunCounters { FilesFailed = 1 }, ct).ConfigureAwait(false);
        return !wasFailed;
    }
}
