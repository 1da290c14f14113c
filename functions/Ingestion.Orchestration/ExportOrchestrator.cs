using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>
/// One export run, written like the process: record the run (key pinned) → kick off the export → poll with durable
/// timers until the manifest is there → process the files in batches (sub-orchestrations, a bounded window of
/// files in flight) → reduce → publish the commit manifest → advance the watermark → DELETE the export → announce.
/// All I/O is in activities; this class only decides. Cancel is the external event <see cref="OrchestrationEvents.Cancel"/>.
/// </summary>
public sealed class ExportOrchestrator : TaskOrchestrator<ExportRunInput, ExportRunOutput>
{
    public override async Task<ExportRunOutput> RunAsync(TaskOrchestrationContext context, ExportRunInput input)
    {
        var runId = context.InstanceId;
        var settings = input.Settings;
        var step = new RunStep(runId, input.KeyFingerprint);
        var retry = RunRetryPolicies.ForSteps(settings);
        using var cancelWait = new CancellationTokenSource();
        var cancel = context.WaitForExternalEvent<string?>(OrchestrationEvents.Cancel, cancelWait.Token);
        var status = new ExportRunStatus("KickOff");
        context.SetCustomStatus(status);
        await context.CallActivityAsync(nameof(RecordRunActivity), new RunRecordChange(runId, "KickOff") { Start = input, At = context.CurrentUtcDateTime }, retry);

        string? statusUrl = null;
        int fileCount;
        IReadOnlyList<int>? order = null, units = null;
        try
        {
            if (input.RetryOf is { } retryOf)
            {
                // A retry reuses the failed run's export (its files are still on the server) and only its failed files.
                var copied = await context.CallActivityAsync<RetryFilesResult>(nameof(PrepareRetryActivity), new RetryFilesRequest(runId, input.KeyFingerprint, retryOf, input.RetryFiles), retry);
                fileCount = copied.FileCount;
                statusUrl = copied.StatusUrl;
            }
            else
            {
                var kickOff = await context.CallActivityAsync<KickOffResult>(nameof(KickOffExportActivity), step, retry);
                statusUrl = kickOff.Job.StatusUrl;
                var deadline = context.CurrentUtcDateTime + settings.MaxExportWait;
                var job = kickOff.Job;
                status = status with { Phase = "Polling" };
                while (true)
                {
                    context.SetCustomStatus(status);
                    var poll = await context.CallActivityAsync<PollResult>(nameof(PollExportActivity), new PollRequest(runId, input.KeyFingerprint, job), retry);
                    if (poll.Complete)
                    {
                        fileCount = poll.FileCount;
                        order = poll.Order;
                        units = poll.Units;
                        break;
                    }
                    job = poll.Job;
                    status = status with { Progress = poll.Progress ?? status.Progress };
                    var wait = Clamp(poll.RetryAfter, settings.MinPollDelay, settings.MaxPollDelay);
                    var next = context.CurrentUtcDateTime + wait;
                    if (next > deadline)
                    {
                        return await FailAsync(context, input, statusUrl, $"The export did not complete within the maximum wait of {settings.MaxExportWait}; the server export was deleted.", 0, 0, 0);
                    }
                    using var timerCancel = new CancellationTokenSource();
                    var timer = context.CreateTimer(next, timerCancel.Token);
                    if (await Task.WhenAny(timer, cancel) == cancel)
                    {
                        timerCancel.Cancel();
                        return await CanceledAsync(context, input, statusUrl, cancel.Result, 0, 0, 0);
                    }
                }
            }
        }
        catch (TaskFailedException ex)
        {
            return await FailAsync(context, input, statusUrl, FailureText.Of(ex), 0, 0, 0);
        }

        // Fan out in batches, largest files first across the run; the batch runs a bounded window of files and retries each file.
        status = status with { Phase = "Processing", FilesTotal = fileCount };
        context.SetCustomStatus(status);
        await context.CallActivityAsync(nameof(RecordRunActivity), new RunRecordChange(runId, "Processing") { Progress = status.Progress }, retry);
        int done = 0, batchIndex = 0, first = 0;
        var failed = new List<int>();
        var canceled = false;
        string? canceledBy = null;
        // Batches run one after another; with queued units (runs of this build) the next one starts as soon as the
        // running one has scheduled its last unit, so the slots do not drain at each batch's end. Runs started by an
        // older build (QueuedFiles 0) wait for each batch to end, as they did.
        var overlap = settings.QueuedFiles > 0;
        var running = new List<(Task<FileBatchOutput> Batch, string Id)>(); // in start order
        Task<string?>? scheduled = null;
        CancellationTokenSource? scheduledWait = null;
        void StartNextBatch()
        {
            var batchId = RunIds.ForBatch(runId, batchIndex++);
            var count = Math.Min(settings.FilesPerBatch, fileCount - first);
            running.Add((context.CallSubOrchestratorAsync<FileBatchOutput>(nameof(FileBatchOrchestrator),
                new FileBatchInput(runId, input.KeyFingerprint, first, count, settings)
                {
                    Indexes = order?.Skip(first).Take(count).ToList(), Units = FileBatchInput.SliceUnits(units, first, count), AnnounceScheduled = overlap,
                },
                new SubOrchestrationOptions { InstanceId = batchId }), batchId));
            first += count;
            scheduledWait?.Cancel();
            scheduledWait?.Dispose();
            scheduledWait = null;
            scheduled = null;
            if (overlap && first < fileCount)
            {
                scheduledWait = new CancellationTokenSource();
                scheduled = context.WaitForExternalEvent<string?>(OrchestrationEvents.BatchScheduled(batchId), scheduledWait.Token);
            }
        }
        if (fileCount > 0) StartNextBatch();
        try
        {
            while (running.Count > 0)
            {
                var waitFor = running.Select(r => (Task)r.Batch).ToList();
                if (scheduled is not null && !canceled) waitFor.Add(scheduled);
                if (!canceled) waitFor.Add(cancel);
                var finished = await Task.WhenAny(waitFor);
                if (finished == cancel)
                {
                    // Tell the running batches to stop scheduling; each returns when its files in flight are done.
                    canceled = true;
                    canceledBy = cancel.Result;
                    foreach (var (_, batchId) in running) context.SendEvent(batchId, OrchestrationEvents.Cancel, canceledBy ?? "");
                    continue;
                }
                if (finished == scheduled)
                {
                    StartNextBatch();
                    continue;
                }
                var batch = (Task<FileBatchOutput>)finished;
                running.RemoveAll(r => r.Batch == batch);
                var result = await batch;
                done += result.Done;
                failed.AddRange(result.Failed);
                status = status with { FilesDone = done, FilesFailed = failed.Count };
                context.SetCustomStatus(status);
                if (result.Canceled) canceled = true;
                if (!canceled && running.Count == 0 && first < fileCount) StartNextBatch();
            }
        }
        finally
        {
            scheduledWait?.Cancel();
            scheduledWait?.Dispose();
        }
        failed.Sort();
        if (canceled) return await CanceledAsync(context, input, statusUrl, canceledBy, fileCount, done, failed.Count);
        if (failed.Count > 0)
        {
            // Not published: readers never see a partial run. The export is kept so `retry` can process the failed files.
            return await FailAsync(context, input, null,
                $"{failed.Count} of {fileCount} files failed; the run is not published (`retry {runId}` processes them again while the server keeps the export).",
                fileCount, done, failed.Count);
        }

        try
        {
            status = status with { Phase = "Publishing" };
            context.SetCustomStatus(status);
            await context.CallActivityAsync(nameof(RecordRunActivity), new RunRecordChange(runId, "Reducing"), retry);
            await context.CallActivityAsync<int>(nameof(ReduceRunActivity), step, retry);
            var published = await context.CallActivityAsync<PublishResult>(nameof(PublishRunActivity), step, retry);
            var transactionTime = await context.CallActivityAsync<DateTimeOffset?>(nameof(AdvanceWatermarkActivity), step, retry);
            if (statusUrl is not null && input.RetryOf is null)
                await context.CallActivityAsync<bool>(nameof(DeleteExportActivity), new ExportDeletion(runId, statusUrl), retry);
            await context.CallActivityAsync(nameof(RecordRunActivity), new RunRecordChange(runId, "Completed")
            {
                Outcome = RunOutcome.Completed, At = context.CurrentUtcDateTime, ManifestPath = published.ManifestPath, ReportPath = published.ReportPath,
            }, retry);
            await context.CallActivityAsync(nameof(AnnounceRunActivity), new RunAnnouncement(runId, input.SourceId, RunOutcome.Completed) { ManifestPath = published.ManifestPath }, retry);
            context.SetCustomStatus(status with { Phase = "Completed" });
            _ = transactionTime;
            return new ExportRunOutput(RunOutcome.Completed)
            {
                ManifestPath = published.ManifestPath, ReportPath = published.ReportPath, FilesTotal = fileCount, FilesDone = done,
            };
        }
        catch (TaskFailedException ex)
        {
            return await FailAsync(context, input, null, FailureText.Of(ex), fileCount, done, 0);
        }
        finally
        {
            cancelWait.Cancel();
        }
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    private static async Task<ExportRunOutput> FailAsync(TaskOrchestrationContext context, ExportRunInput input, string? deleteStatusUrl, string reason, int total, int done, int failed)
    {
        var retry = RunRetryPolicies.ForSteps(input.Settings);
        if (deleteStatusUrl is not null)
            await context.CallActivityAsync<bool>(nameof(DeleteExportActivity), new ExportDeletion(context.InstanceId, deleteStatusUrl), retry);
        await context.CallActivityAsync(nameof(RecordRunActivity), new RunRecordChange(context.InstanceId, "Failed") { Outcome = RunOutcome.Failed, FailureReason = reason, At = context.CurrentUtcDateTime }, retry);
        await context.CallActivityAsync(nameof(AnnounceRunActivity), new RunAnnouncement(context.InstanceId, input.SourceId, RunOutcome.Failed) { Reason = reason }, retry);
        context.SetCustomStatus(new ExportRunStatus("Failed") { FilesTotal = total, FilesDone = done, FilesFailed = failed });
        return new ExportRunOutput(RunOutcome.Failed) { FailureReason = reason, FilesTotal = total, FilesDone = done, FilesFailed = failed };
    }

    private static async Task<ExportRunOutput> CanceledAsync(TaskOrchestrationContext context, ExportRunInput input, string? statusUrl, string? by, int total, int done, int failed)
    {
        var retry = RunRetryPolicies.ForSteps(input.Settings);
        if (statusUrl is not null && input.RetryOf is null)
            await context.CallActivityAsync<bool>(nameof(DeleteExportActivity), new ExportDeletion(context.InstanceId, statusUrl), retry);
        var reason = $"Canceled{(by is null ? "" : " by " + by)} after {done} of {total} files.";
        await context.CallActivityAsync(nameof(RecordRunActivity), new RunRecordChange(context.InstanceId, "Canceled") { Outcome = RunOutcome.Canceled, FailureReason = reason, At = context.CurrentUtcDateTime }, retry);
        await context.CallActivityAsync(nameof(AnnounceRunActivity), new RunAnnouncement(context.InstanceId, input.SourceId, RunOutcome.Canceled) { Reason = reason }, retry);
        context.SetCustomStatus(new ExportRunStatus("Canceled") { FilesTotal = total, FilesDone = done, FilesFailed = failed });
        return new ExportRunOutput(RunOutcome.Canceled) { FailureReason = reason, FilesTotal = total, FilesDone = done, FilesFailed = failed };
    }
}
