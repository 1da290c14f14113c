using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>
/// Processes a slice of a run's files (in the order given: largest first) as work units — one file, or a group of
/// small files one activity processes in turn — with at most <see cref="RunSettings.MaxParallelFiles"/> units
/// processing files and <see cref="RunSettings.QueuedFiles"/> more scheduled, waiting for a slot in the worker.
/// A single file runs with the file retry policy; a group runs once, and when it fails its files go back one
/// by one with that policy (its completed files return at once), so each file keeps its own retries and failure.
/// A file that still fails is recorded as failed (with its reason) and the batch goes on.
/// A <see cref="OrchestrationEvents.Cancel"/> event stops scheduling; units in flight (queued ones too) finish.
/// </summary>
public sealed class FileBatchOrchestrator : TaskOrchestrator<FileBatchInput, FileBatchOutput>
{
    public override async Task<FileBatchOutput> RunAsync(TaskOrchestrationContext context, FileBatchInput input)
    {
        var fileRetry = RunRetryPolicies.ForFiles(input.Settings);
        var stepRetry = RunRetryPolicies.ForSteps(input.Settings);
        using var cancelWait = new CancellationTokenSource();
        var cancel = context.WaitForExternalEvent<string?>(OrchestrationEvents.Cancel, cancelWait.Token);
        var inFlight = new Dictionary<Task<FileResultSummary>, IReadOnlyList<int>>();
        var failed = new List<int>();
        var done = 0;
        var units = input.WorkUnits();
        var next = 0;
        var singles = new Queue<int>(); // the files of failed groups, before the next unit
        var canceled = false;
        var announced = false;
        // Units queued beyond MaxParallelFiles wait in the worker for a slot of the run (FileActivitySlots), so a slot
        // that frees starts the next unit without waiting for this orchestrator's round trip.
        var window = Math.Max(1, input.Settings.MaxParallelFiles) + Math.Max(0, input.Settings.QueuedFiles);
        try
        {
            while (next < units.Count || singles.Count > 0 || inFlight.Count > 0)
            {
                while (!canceled && (singles.Count > 0 || next < units.Count) && inFlight.Count < window)
                {
                    IReadOnlyList<int> unit = singles.Count > 0 ? [singles.Dequeue()] : units[next++];
                    var request = FileRequest.For(input.RunId, input.KeyFingerprint, unit);
                    inFlight.Add(unit.Count == 1
                        ? context.CallActivityAsync<FileResultSummary>(nameof(ProcessFileActivity), request, fileRetry)
                        : context.CallActivityAsync<FileResultSummary>(nameof(ProcessFileActivity), request), unit);
                }
                if (input.AnnounceScheduled && !announced && next >= units.Count)
                {
                    // The run may start the next batch now: its units queue behind this batch's in the worker's slots.
                    announced = true;
                    context.SendEvent(input.RunId, OrchestrationEvents.BatchScheduled(context.InstanceId), "");
                }
                if (inFlight.Count == 0) break;
                var waitFor = new List<Task>(inFlight.Keys);
                if (!canceled) waitFor.Add(cancel);
                var finished = await Task.WhenAny(waitFor);
                if (finished == cancel)
                {
                    canceled = true;
                    continue;
                }
                var file = (Task<FileResultSummary>)finished;
                var files = inFlight[file];
                inFlight.Remove(file);
                try
                {
                    await file;
                    done += files.Count;
                }
                catch (TaskFailedException) when (files.Count > 1)
                {
                    foreach (var index in files) singles.Enqueue(index);
                }
                catch (TaskFailedException ex)
                {
                    failed.Add(files[0]);
                    await context.CallActivityAsync(nameof(RecordFileFailedActivity), new FileFailure(input.RunId, files[0], FailureText.Of(ex)), stepRetry);
                }
            }
        }
        finally
        {
            cancelWait.Cancel();
        }
        failed.Sort();
        return new FileBatchOutput(done, failed, canceled);
    }
}
