using System.Diagnostics;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.State;
using Ingestion.Storage;
using Microsoft.Extensions.Logging;

namespace Ingestion.Pipeline;

/// <summary>
/// Handles "process file n of run X": claims the activity (ETag), runs the file activity, checkpoints its result
/// (or schedules a retry with backoff, or marks the file Failed at the attempt limit), then nudges the
/// orchestrator to check the fan-in.
/// </summary>
internal sealed class ActivityWorker(OrchestrationServices services)
{
    private readonly OrchestrationState _state = services.State;
    private readonly ILogger _log = services.LoggerFactory.CreateLogger<ActivityWorker>();

    public async Task HandleAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        var id = message.InstanceId;
        var index = message.Index ?? throw new InvalidDataException("File message without an index.");
        var run = await _state.GetRunAsync(id, cancellationToken).ConfigureAwait(false);
        if (run is null || run.Value.RuntimeStatus.IsTerminal()) return;
        var current = await _state.GetActivityAsync(id, index, cancellationToken).ConfigureAwait(false);
        if (current is null) return;
        if (current.Value.IsTerminal)
        {
            // Re-delivered after the checkpoint: only the fan-in nudge may be missing.
            await NudgeAsync(id, cancellationToken).ConfigureAwait(false);
            return;
        }

        Versioned<ActivityState> claimed;
        try
        {
            claimed = await _state.ReplaceActivityAsync(current, current.Value with
            {
                Status = ActivityStatus.Running,
                Attempt = current.Value.Attempt + 1,
                StartedAt = services.Time.GetUtcNow(),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (StateConflictException)
        {
            return; // another worker claimed it
        }
        var attempt = claimed.Value.Attempt;
        await _state.RecordAsync(id, "ActivityStarted", cancellationToken, index, attempt).ConfigureAwait(false);

        var watch = Stopwatch.StartNew();
        FileResult result;
        try
        {
            var source = services.Sources.Create(run.Value.Input);
            result = await services.FileActivity.RunAsync(new FileActivityContext(run.Value, claimed.Value, source, services.Faults), cancellationToken).ConfigureAwait(false);
            await services.Faults.AtAsync(FaultPoints.AfterActivityOutput, id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await FailedAttemptAsync(claimed, ex, watch.Elapsed, cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await _state.ReplaceActivityAsync(claimed, claimed.Value with
            {
                Status = ActivityStatus.Completed,
                CompletedAt = services.Time.GetUtcNow(),
                Error = null,
                Result = result,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (StateConflictException)
        {
            return; // a duplicate delivery finished the same file first; its output is identical
        }
        await _state.RecordAsync(id, "ActivityCompleted", cancellationToken, index, attempt, watch.Elapsed,
            $"lines={result.LinesRead} quarantined={result.Quarantined}").ConfigureAwait(false);
        await NudgeAsync(id, cancellationToken).ConfigureAwait(false);
    }

    private async Task FailedAttemptAsync(Versioned<ActivityState> claimed, Exception ex, TimeSpan duration, CancellationToken cancellationToken)
    {
        var activity = claimed.Value;
        var reason = $"{ex.GetType().Name}: {ex.Message}";
        var final = activity.Attempt >= services.Options.MaxActivityAttempts || ex is NonRetryableActivityException;
        _log.LogWarning("Run {InstanceId} file {Index} attempt {Attempt} failed ({Error}){Final}", activity.InstanceId, activity.Index, activity.Attempt, ex.GetType().Name, final ? "; giving up" : "; retrying");
        if (!final)
        {
            // Schedule the retry before the checkpoint: a crash in between re-delivers this message, never loses the file.
            await services.WorkQueue.EnqueueAsync(WorkMessage.File(activity.InstanceId, activity.Index).Serialize(), services.Options.RetryDelay(activity.Attempt), cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await _state.ReplaceActivityAsync(claimed, activity with
            {
                Status = final ? ActivityStatus.Failed : ActivityStatus.Pending,
                CompletedAt = final ? services.Time.GetUtcNow() : null,
                Error = reason,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (StateConflictException)
        {
            return;
        }
        await _state.RecordAsync(activity.InstanceId, final ? "ActivityFailed" : "ActivityRetrying", cancellationToken, activity.Index, activity.Attempt, duration, reason).ConfigureAwait(false);
        if (final) await NudgeAsync(activity.InstanceId, cancellationToken).ConfigureAwait(false);
    }

    private Task NudgeAsync(string instanceId, CancellationToken cancellationToken) =>
        services.WorkQueue.EnqueueAsync(WorkMessage.Orchestrate(instanceId).Serialize(), null, cancellationToken);
}

/// <summary>An activity failure that retrying cannot fix (e.g. the file is not NDJSON at all).</summary>
public sealed class NonRetryableActivityException(string message, Exception? inner = null) : Exception(message, inner);
