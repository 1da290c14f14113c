using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>
/// For <c>retry</c>: copies the failed run's file rows into this run with the same indexes, its completed files
/// as completed (their parts are reused, so the published run is whole) and its failed files as pending, with the
/// failed run's transactionTime and export. The orchestrator then processes only what is pending.
/// </summary>
public sealed class PrepareRetryActivity(IRunCatalog catalog, RunKeyPin key) : TaskActivity<RetryFilesRequest, RetryFilesResult>
{
    public override async Task<RetryFilesResult> RunAsync(TaskActivityContext context, RetryFilesRequest request)
    {
        var ct = CancellationToken.None;
        key.Check(request.RunId, request.KeyFingerprint);
        var failedRun = await catalog.GetRunAsync(request.RetryOf, ct).ConfigureAwait(false)
            ?? throw new Pipeline.NonRetryableActivityException($"Run '{request.RetryOf}' is not in the run catalog; run the export again.");
        var current = await catalog.GetRunAsync(request.RunId, ct).ConfigureAwait(false);
        if (current is { FilesTotal: > 0 }) return new RetryFilesResult(current.FilesTotal, current.TransactionTime, current.ExportStatusUrl);

        var retried = request.FailedFiles.ToHashSet();
        var copies = new List<RunFileRecord>();
        var carried = new RunCounters();
        await foreach (var file in catalog.ListFilesAsync(request.RetryOf, ct).ConfigureAwait(false))
        {
            var again = retried.Contains(file.Index) || file.Status != RunFileStatus.Completed;
            copies.Add(again
                ? new RunFileRecord { RunId = request.RunId, Index = file.Index, Kind = file.Kind, ResourceType = file.ResourceType, Url = file.Url, ExpectedCount = file.ExpectedCount }
                : file with { RunId = request.RunId });
            if (!again)
            {
                carried = carried with
                {
                    FilesDone = carried.FilesDone + 1,
                    ResourcesRead = carried.ResourcesRead + file.ResourcesRead,
                    ResourcesMapped = carried.ResourcesMapped + file.ResourcesMapped,
                    ResourcesQuarantined = carried.ResourcesQuarantined + file.ResourcesQuarantined,
                    ResourcesUnmapped = carried.ResourcesUnmapped + file.ResourcesUnmapped,
                };
            }
        }
        await catalog.PutFilesAsync(request.RunId, copies, ct).ConfigureAwait(false);
        await catalog.AddToCountersAsync(request.RunId, carried, ct).ConfigureAwait(false);
        // FilesTotal last: it marks the copy as done for a re-delivered activity.
        await catalog.UpdateRunAsync(request.RunId, r => r with
        {
            FilesTotal = copies.Count,
            TransactionTime = failedRun.TransactionTime,
            RequiresAccessToken = failedRun.RequiresAccessToken,
            EffectiveSince = failedRun.EffectiveSince,
            ExportStatusUrl = failedRun.ExportStatusUrl,
        }, ct).ConfigureAwait(false);
        return new RetryFilesResult(copies.Count, failedRun.TransactionTime, failedRun.ExportStatusUrl);
    }
}
