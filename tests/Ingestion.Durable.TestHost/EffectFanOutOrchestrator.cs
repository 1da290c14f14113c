using Microsoft.DurableTask;

namespace Ingestion.Durable.TestHost;

/// <summary>Fans out one <see cref="WriteEffectActivity"/> per item and sums their results.</summary>
public sealed class EffectFanOutOrchestrator : TaskOrchestrator<int, long>
{
    public const string Name = nameof(EffectFanOutOrchestrator);

    public override async Task<long> RunAsync(TaskOrchestrationContext context, int count)
    {
        var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(1)));
        var results = await Task.WhenAll(Enumerable.Range(0, count)
            .Select(i => context.CallActivityAsync<long>(WriteEffectActivity.Name, i, retry)));
        return results.Sum();
    }
}
