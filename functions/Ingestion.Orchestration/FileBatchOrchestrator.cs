using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>
/// Processes a slice of a run's files (in the order given: largest first) with at most <see cref="RunSettings.MaxParallelFiles"/> in flight, each with
/// the file retry policy; a file that still fails is recorded as failed (with its reason) and the batch goes on.
/// A <see cref="OrchestrationEvents.Cancel"/> event stops scheduling; files in flight finish.
/// </summary>
public sealed class FileBatchOrchestrator : TaskOrchestrator<FileBatchInput, FileBatchOutput>
{
    public override async Task<FileBatchOutput> RunAsync(TaskOrchestrationContext context, FileBatchInput input)
    {
        var fileRetry = RunRetryPolicies.ForFiles(input.Settings);
        var stepRetry = RunRetryPolicies.ForSteps(input.Settings);
        using var cancelWait = new CancellationTokenSource();
        var cancel = context.WaitForExternalEvent<string?>(OrchestrationEvents.Cancel, cancelWait.Token);
        var inFlight = new Dictionary<Task<FileResultSummary>, int>();
        var failed = new List<int>();
        var done = 0;
        var files = input.Files();
        var next = 0;
        var end = files.Count;
        var canceled = false;
        try
        {
            while (next < end || inFlight.Count > 0)
            {
                while (!canceled && next < end && inFlight.Count < Math.Max(1, input.Settings.MaxParallelFiles))
                {
                    var index = files[next++];
                    inFlight.Add(context.CallActivityAsync<FileResultSummary>(nameof(ProcessFileActivity), new FileRequest(input.RunId, input.KeyFingerprint, index), fileRetry), index);
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
                var fileIndex = inFlight[file];
                inFlight.Remove(file);
                try
                {
                    await file;
                    done++;
                }
                catch (TaskFailedException ex)
                {
                    failed.Add(fileIndex);
                    await context.CallActivityAsync(nameof(RecordFileFailedActivity), new FileFailure(input.RunId, fileIndex, FailureText.Of(ex)), stepRetry);
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
