using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>After publish: moves the source's watermark to the run's transactionTime, forward only (safe to repeat).</summary>
public sealed class AdvanceWatermarkActivity(IRunCatalog catalog, RunLookup runs) : TaskActivity<RunStep, DateTimeOffset?>
{
    public override async Task<DateTimeOffset?> RunAsync(TaskActivityContext context, RunStep step)
    {
        var ct = CancellationToken.None;
        var (run, input) = await runs.LoadAsync(step.RunId, ct).ConfigureAwait(false);
        if (run.TransactionTime is not { } transactionTime) return null;
        var stored = await catalog.AdvanceWatermarkAsync(new SourceWatermarkRecord(input.SourceId, transactionTime, step.RunId), ct).ConfigureAwait(false);
        return stored.TransactionTime;
    }
}
