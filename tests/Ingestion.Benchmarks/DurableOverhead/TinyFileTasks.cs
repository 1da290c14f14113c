using Microsoft.DurableTask;

namespace Ingestion.Benchmarks.DurableOverhead;

/// <summary>The run's shape without the work: sub-orchestrations of at most <see cref="TinyFilesInput.BatchSize"/> files each.</summary>
public sealed record TinyFilesInput(int Files, int BatchSize);

public sealed record TinyFileBatch(int First, int Count);

public sealed class TinyFilesOrchestrator : TaskOrchestrator<TinyFilesInput, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, TinyFilesInput input)
    {
        var batches = Enumerable.Range(0, (input.Files + input.BatchSize - 1) / input.BatchSize)
            .Select(b => new TinyFileBatch(b * input.BatchSize, Math.Min(input.BatchSize, input.Files - b * input.BatchSize)))
            .Select(batch => context.CallSubOrchestratorAsync<int>(nameof(TinyFileBatchOrchestrator), batch,
                new SubOrchestrationOptions { InstanceId = $"{context.InstanceId}:batch:{batch.First}" }));
        return (await Task.WhenAll(batches)).Sum();
    }
}

public sealed class TinyFileBatchOrchestrator : TaskOrchestrator<TinyFileBatch, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, TinyFileBatch batch)
    {
        var done = await Task.WhenAll(Enumerable.Range(batch.First, batch.Count)
            .Select(file => context.CallActivityAsync<int>(nameof(TinyFileActivity), file)));
        return done.Sum();
    }
}

/// <summary>A "tiny file": no work, a small input and output, so only the Durable overhead is measured.</summary>
public sealed class TinyFileActivity : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int file) => Task.FromResult(1);
}
