using Ingestion.Orchestration;
using Microsoft.DurableTask;

namespace Ingestion.Benchmarks.DurableOverhead;

/// <summary>A run of <see cref="Files"/> tiny files with the product's batch and window settings.</summary>
public sealed record TinyRunInput(int Files, RunSettings Settings);

/// <summary>
/// The file phase of <see cref="ExportOrchestrator"/> without the rest of the run: the product's
/// <see cref="FileBatchOrchestrator"/> sub-orchestrations (ids <see cref="RunIds.ForBatch"/>), one after another,
/// each keeping <see cref="RunSettings.MaxParallelFiles"/> files in flight, with the cancel wait and the custom status
/// update per batch that the run does.
/// </summary>
public sealed class TinyRunOrchestrator : TaskOrchestrator<TinyRunInput, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, TinyRunInput input)
    {
        using var cancelWait = new CancellationTokenSource();
        var cancel = context.WaitForExternalEvent<string?>(OrchestrationEvents.Cancel, cancelWait.Token);
        var status = new ExportRunStatus("Processing") { FilesTotal = input.Files };
        context.SetCustomStatus(status);
        int done = 0, batchIndex = 0;
        for (var first = 0; first < input.Files; first += input.Settings.FilesPerBatch)
        {
            var batchId = RunIds.ForBatch(context.InstanceId, batchIndex++);
            var batch = context.CallSubOrchestratorAsync<FileBatchOutput>(nameof(FileBatchOrchestrator),
                new FileBatchInput(context.InstanceId, TinyFileActivity.KeyFingerprint, first, Math.Min(input.Settings.FilesPerBatch, input.Files - first), input.Settings),
                new SubOrchestrationOptions { InstanceId = batchId });
            if (await Task.WhenAny(batch, cancel) == cancel) throw new InvalidOperationException("The benchmark run was canceled.");
            var result = await batch;
            done += result.Done;
            status = status with { FilesDone = done, FilesFailed = status.FilesFailed + result.Failed.Count };
            context.SetCustomStatus(status);
        }
        cancelWait.Cancel();
        return done;
    }
}

/// <summary>
/// A "tiny file", registered under <see cref="ProcessFileActivity"/>'s name: the product's input and output types,
/// no work, so only the Durable overhead is measured.
/// </summary>
public static class TinyFileActivity
{
    public const string KeyFingerprint = "benchmark";

    public static FileResultSummary Run(FileRequest request) => new(request.Index, 1, 1, 0);
}
