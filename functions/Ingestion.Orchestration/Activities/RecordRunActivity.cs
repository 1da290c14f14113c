using System.Text.Json;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>Writes the run row of the catalog: created at start (with the pinned key and trigger), then phase and outcome.</summary>
public sealed class RecordRunActivity(IRunCatalog catalog, PipelineTelemetry telemetry) : TaskActivity<RunRecordChange, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, RunRecordChange change)
    {
        var ct = CancellationToken.None;
        if (change.Start is { } input)
        {
            var at = change.At ?? DateTimeOffset.UtcNow;
            var created = await catalog.CreateRunAsync(new RunRecord
            {
                RunId = change.RunId,
                SourceId = input.SourceId,
                Status = RunRecordStatus.Running,
                Phase = change.Phase,
                CreatedAt = at,
                KeyFingerprint = input.KeyFingerprint,
                Trigger = input.Trigger.Kind.ToString().ToLowerInvariant(),
                TriggeredBy = input.Trigger.By,
                RetryOf = input.RetryOf,
                InputJson = JsonSerializer.Serialize(input, OrchestrationJson.State),
            }, ct).ConfigureAwait(false);
            if (created)
            {
                await catalog.AppendAuditAsync(new AuditEntry(change.RunId, "started", "Started", at)
                {
                    Actor = input.Trigger.By,
                    Detail = $"trigger={input.Trigger.Kind.ToString().ToLowerInvariant()} source={input.SourceId}" + (input.RetryOf is null ? "" : $" retryOf={input.RetryOf}"),
                }, ct).ConfigureAwait(false);
            }
            return created;
        }

        await catalog.UpdateRunAsync(change.RunId, run =>
        {
            if (run.IsTerminal) return run;
            var updated = run with { Phase = change.Phase, Progress = change.Progress ?? run.Progress };
            if (change.Outcome is { } outcome)
            {
                updated = updated with
                {
                    Status = outcome switch { RunOutcome.Completed => RunRecordStatus.Completed, RunOutcome.Canceled => RunRecordStatus.Canceled, _ => RunRecordStatus.Failed },
                    CompletedAt = change.At ?? DateTimeOffset.UtcNow,
                    FailureReason = change.FailureReason,
                    ManifestPath = change.ManifestPath ?? run.ManifestPath,
                    ReportPath = change.ReportPath ?? run.ReportPath,
                };
            }
            return updated;
        }, ct).ConfigureAwait(false);
        if (change.Outcome is { } end)
        {
            await catalog.AppendAuditAsync(new AuditEntry(change.RunId, "ended", end.ToString(), change.At ?? DateTimeOffset.UtcNow) { Detail = change.FailureReason }, ct).ConfigureAwait(false);
            // Counted when the end is recorded (a re-delivered activity can count a run twice; the catalog stays exact).
            telemetry.Runs.Add(1, new KeyValuePair<string, object?>("ingestion.run.status", end.ToString()));
        }
        return true;
    }
}
