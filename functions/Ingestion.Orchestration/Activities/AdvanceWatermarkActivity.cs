using System.Globalization;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>
/// After publish: moves the source's watermark to the run's transactionTime, forward only (safe to repeat), and records
/// the move on the source's audit trail (<c>WatermarkAdvanced</c>, one entry per run: a repeat after a crash finds it).
/// </summary>
public sealed class AdvanceWatermarkActivity(IRunCatalog catalog, RunLookup runs, TimeProvider time) : TaskActivity<RunStep, DateTimeOffset?>
{
    public override async Task<DateTimeOffset?> RunAsync(TaskActivityContext context, RunStep step)
    {
        var ct = CancellationToken.None;
        var (run, input) = await runs.LoadAsync(step.RunId, ct).ConfigureAwait(false);
        if (run.TransactionTime is not { } transactionTime) return null;
        var stored = await catalog.AdvanceWatermarkAsync(new SourceWatermarkRecord(input.SourceId, transactionTime, step.RunId), ct).ConfigureAwait(false);
        if (stored.RunId == step.RunId)
        {
            await catalog.AppendAuditAsync(new AuditEntry("source:" + input.SourceId, "watermark:" + step.RunId, "WatermarkAdvanced", time.GetUtcNow())
            {
                Detail = $"run {step.RunId}: transactionTime {transactionTime.ToString("O", CultureInfo.InvariantCulture)}",
            }, ct).ConfigureAwait(false);
        }
        return stored.TransactionTime;
    }
}
