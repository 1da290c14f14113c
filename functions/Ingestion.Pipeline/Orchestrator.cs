using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline.State;
using Ingestion.Storage;
using Microsoft.Extensions.Logging;

namespace Ingestion.Pipeline;

/// <summary>
/// Handles "orchestrate run X" messages: one step of the run's state machine per phase
/// (KickOff → Polling → Processing → Finalizing). Each step does its side effects first and checkpoints last,
/// so a re-delivered message (after a crash) redoes only what was not checkpointed.
/// </summary>
internal sealed class Orchestrator(OrchestrationServices services)
{
    private readonly OrchestrationState _state = services.State;
    private readonly ILogger _log = services.LoggerFactory.CreateLogger<Orchestrator>();
    private PipelineOptions Options => services.Options;

    public async Task HandleAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        // Phase transitions continue in the same message; a crash mid-way re-delivers it.
        while (true)
        {
            var run = await _state.GetRunAsync(message.InstanceId, cancellationToken).ConfigureAwait(false);
            if (run is null || run.Value.RuntimeStatus.IsTerminal()) return;
            bool again;
            try
            {
                again = run.Value.Phase switch
                {
                    RunPhase.KickOff => await KickOffAsync(run, cancellationToken).ConfigureAwait(false),
                    RunPhase.Polling => await PollAsync(run, cancellationToken).ConfigureAwait(false),
                    RunPhase.Processing => await FanInAsync(run, message.Recover, cancellationToken).ConfigureAwait(false),
                    _ => await FinalizeAsync(run, cancellationToken).ConfigureAwait(false),
                };
            }
            catch (StateConflictException)
            {
                // Another worker checkpointed this run first; it carries on from there.
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !cancellationToken.IsCancellationRequested && IsStepFailure(ex))
            {
                await RetryOrFailAsync(message, run.Value, ex, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (!again) return;
        }
    }

    private async Task<bool> KickOffAsync(Versioned<RunState> run, CancellationToken cancellationToken)
    {
        var now = services.Time.GetUtcNow();
        if (run.Value.KickOffClaimedUntil is { } claimed && claimed > now)
        {
            // Another worker is kicking off; check again when its claim lapses (it may have crashed).
            await services.WorkQueue.EnqueueAsync(WorkMessage.Orchestrate(run.Value.InstanceId).Serialize(), claimed - now, cancellationToken).ConfigureAwait(false);
            return false;
        }
        run = await _state.ReplaceRunAsync(run, run.Value with { KickOffClaimedUntil = now + Options.VisibilityTimeout }, cancellationToken).ConfigureAwait(false);
        var input = run.Value.Input;
        var since = input.Since;
        if (since is null && input.Incremental)
        {
            since = (await _state.GetWatermarkAsync(input.SourceId, cancellationToken).ConfigureAwait(false))?.TransactionTime;
        }
        var source = services.Sources.Create(input);
        var job = await source.KickOffAsync(input, since, cancellationToken).ConfigureAwait(false);
        await services.Faults.AtAsync(FaultPoints.AfterKickOff, run.Value.InstanceId, cancellationToken).ConfigureAwait(false);
        try
        {
            await _state.ReplaceRunAsync(run, run.Value with
            {
                RuntimeStatus = RuntimeStatus.Running,
                Phase = RunPhase.Polling,
                Job = job,
                EffectiveSince = since,
                KickOffClaimedUntil = null,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (StateConflictException)
        {
            // Someone else kicked off (or canceled) meanwhile: ours is an orphan export, delete it.
            await TryDeleteExportAsync(source, job, cancellationToken).ConfigureAwait(false);
            throw;
        }
        await _state.RecordAsync(run.Value.InstanceId, "ExportKickedOff", cancellationToken, detail: since is null ? "full" : "since watermark").ConfigureAwait(false);
        return true;
    }

    private async Task<bool> PollAsync(Versioned<RunState> run, CancellationToken cancellationToken)
    {
        var job = run.Value.Job ?? throw new InvalidOperationException("Polling without a kicked-off export.");
        var source = services.Sources.Create(run.Value.Input);
        var poll = await source.PollAsync(job, cancellationToken).ConfigureAwait(false);
        if (!poll.IsComplete)
        {
            if (poll.Job.PollAttempt >= Options.MaxPollAttempts)
            {
                await FailRunAsync(run.Value.InstanceId, $"The export did not complete after {poll.Job.PollAttempt} status polls.", cancellationToken).ConfigureAwait(false);
                return false;
            }
            await _state.ReplaceRunAsync(run, run.Value with { Job = poll.Job, Progress = poll.Progress ?? run.Value.Progress }, cancellationToken).ConfigureAwait(false);
            // The durable timer: a delayed message, not a sleeping thread.
            var now = services.Time.GetUtcNow();
            var delay = poll.Job.NextPollAt is { } at && at > now ? at - now : TimeSpan.Zero;
            await services.WorkQueue.EnqueueAsync(WorkMessage.Orchestrate(run.Value.InstanceId).Serialize(), delay, cancellationToken).ConfigureAwait(false);
            return false;
        }

        var manifest = poll.Manifest!;
        var files = Enumerate(manifest).ToList();
        var index = 0;
        foreach (var (kind, file) in files)
        {
            var activity = await _state.EnsureActivityAsync(new ActivityState
            {
                InstanceId = run.Value.InstanceId,
                Index = index++,
                FileKind = kind,
                ResourceType = file.Type,
                Url = file.Url,
                ExpectedCount = file.Count,
            }, cancellationToken).ConfigureAwait(false);
            if (!activity.Value.IsTerminal)
            {
                await services.WorkQueue.EnqueueAsync(WorkMessage.File(run.Value.InstanceId, activity.Value.Index).Serialize(), null, cancellationToken).ConfigureAwait(false);
            }
        }
        await services.Faults.AtAsync(FaultPoints.AfterFanOut, run.Value.InstanceId, cancellationToken).ConfigureAwait(false);
        await _state.ReplaceRunAsync(run, run.Value with
        {
            Phase = RunPhase.Processing,
            Job = poll.Job,
            Progress = poll.Progress ?? run.Value.Progress,
            TransactionTime = manifest.TransactionTime,
            RequiresAccessToken = manifest.RequiresAccessToken,
            FileCount = files.Count,
        }, cancellationToken).ConfigureAwait(false);
        await _state.RecordAsync(run.Value.InstanceId, "ManifestReceived", cancellationToken,
            detail: $"output={manifest.Output.Count} error={manifest.Error.Count} deleted={manifest.Deleted.Count}").ConfigureAwait(false);
        await _state.RecordAsync(run.Value.InstanceId, "ActivitiesScheduled", cancellationToken, detail: $"files={files.Count}").ConfigureAwait(false);
        // With no files there is no activity to trigger the fan-in: continue now.
        return files.Count == 0;
    }

    private async Task<bool> FanInAsync(Versioned<RunState> run, bool recover, CancellationToken cancellationToken)
    {
        var activities = await _state.GetActivitiesAsync(run.Value.InstanceId, cancellationToken).ConfigureAwait(false);
        if (activities.Count < run.Value.FileCount) throw new InvalidDataException($"Run '{run.Value.InstanceId}' lists {run.Value.FileCount} files but has {activities.Count} activities.");
        var unfinished = activities.Where(a => !a.IsTerminal).ToList();
        if (unfinished.Count > 0)
        {
            if (recover)
            {
                foreach (var activity in unfinished)
                {
                    await services.WorkQueue.EnqueueAsync(WorkMessage.File(run.Value.InstanceId, activity.Index).Serialize(), null, cancellationToken).ConfigureAwait(false);
                }
            }
            return false;
        }
        await services.Faults.AtAsync(FaultPoints.BeforeFinalizing, run.Value.InstanceId, cancellationToken).ConfigureAwait(false);
        await _state.ReplaceRunAsync(run, run.Value with { Phase = RunPhase.Finalizing }, cancellationToken).ConfigureAwait(false);
        await _state.RecordAsync(run.Value.InstanceId, "FanInCompleted", cancellationToken,
            detail: $"completed={activities.Count(a => a.Status == ActivityStatus.Completed)} failed={activities.Count(a => a.Status == ActivityStatus.Failed)}").ConfigureAwait(false);
        return true;
    }

    private async Task<bool> FinalizeAsync(Versioned<RunState> run, CancellationToken cancellationToken)
    {
        var id = run.Value.InstanceId;
        var activities = await _state.GetActivitiesAsync(id, cancellationToken).ConfigureAwait(false);
        var failed = activities.Where(a => a.Status == ActivityStatus.Failed).ToList();
        if (failed.Count > 0)
        {
            // Not published: readers never see a partial run. The export is kept so `resume` can retry the failed files.
            var output = new RunOutput { FailedFiles = failed.Select(a => new FailedFile(a.Index, a.ResourceType, a.Error ?? "unknown")).ToList() };
            await FailRunAsync(id, $"{failed.Count} of {activities.Count} files failed; the run is not published (resume retries them).", cancellationToken, output).ConfigureAwait(false);
            return false;
        }

        var published = await services.Publisher.PublishAsync(run.Value, activities, cancellationToken).ConfigureAwait(false);
        await services.Faults.AtAsync(FaultPoints.AfterPublish, id, cancellationToken).ConfigureAwait(false);
        if (run.Value.TransactionTime is { } transactionTime)
        {
            await _state.AdvanceWatermarkAsync(new SourceWatermark(run.Value.Input.SourceId, transactionTime, id), cancellationToken).ConfigureAwait(false);
        }
        if (!run.Value.ExportDeleted && run.Value.Job is { } job)
        {
            await TryDeleteExportAsync(services.Sources.Create(run.Value.Input), job, cancellationToken).ConfigureAwait(false);
        }
        var announced = await services.Events.PublishAsync(new RunEvent($"{id}:{RunEventType.RunCompleted}", RunEventType.RunCompleted, id, run.Value.Input.SourceId, services.Time.GetUtcNow())
        {
            ManifestLocation = published.ManifestPath,
            Counts = published.Counts,
        }, cancellationToken).ConfigureAwait(false);
        // The run is published whether or not the announcement went out; the run's history shows when it did not.
        if (!announced.Delivered) await _state.RecordAsync(id, "RunEventNotSent", cancellationToken, detail: announced.Reason).ConfigureAwait(false);
        await _state.ReplaceRunAsync(run, run.Value with
        {
            RuntimeStatus = RuntimeStatus.Completed,
            ExportDeleted = true,
            Output = new RunOutput { ManifestPath = published.ManifestPath, ReportPath = published.ReportPath },
        }, cancellationToken).ConfigureAwait(false);
        await _state.RecordAsync(id, "RunCompleted", cancellationToken, detail: published.ManifestPath).ConfigureAwait(false);
        return false;
    }

    internal async Task FailRunAsync(string instanceId, string reason, CancellationToken cancellationToken, RunOutput? output = null)
    {
        var failed = false;
        var run = await _state.UpdateRunAsync(instanceId, r =>
        {
            if (r.RuntimeStatus.IsTerminal()) return null;
            failed = true;
            return r with { RuntimeStatus = RuntimeStatus.Failed, FailureReason = reason, Output = output ?? r.Output };
        }, cancellationToken).ConfigureAwait(false);
        if (!failed || run is null) return;
        _log.LogWarning("Run {InstanceId} failed: {Reason}", instanceId, reason);
        await _state.RecordAsync(instanceId, "RunFailed", cancellationToken, detail: reason).ConfigureAwait(false);
        var announced = await services.Events.PublishAsync(new RunEvent($"{instanceId}:{RunEventType.RunFailed}", RunEventType.RunFailed, instanceId, run.Value.Input.SourceId, services.Time.GetUtcNow())
        {
            Reason = reason,
        }, cancellationToken).ConfigureAwait(false);
        if (!announced.Delivered) await _state.RecordAsync(instanceId, "RunEventNotSent", cancellationToken, detail: announced.Reason).ConfigureAwait(false);
    }

    private async Task RetryOrFailAsync(WorkMessage message, RunState run, Exception ex, CancellationToken cancellationToken)
    {
        var attempt = message.Attempt + 1;
        var reason = $"{run.Phase} step failed ({ex.GetType().Name}): {ex.Message}";
        if (attempt >= Options.MaxActivityAttempts)
        {
            await FailRunAsync(run.InstanceId, reason, cancellationToken).ConfigureAwait(false);
            return;
        }
        _log.LogWarning("Run {InstanceId}: {Phase} step failed (attempt {Attempt}), retrying: {Error}", run.InstanceId, run.Phase, attempt, ex.GetType().Name);
        await _state.RecordAsync(run.InstanceId, "StepRetrying", cancellationToken, attempt: attempt, detail: reason).ConfigureAwait(false);
        await services.WorkQueue.EnqueueAsync((message with { Attempt = attempt, Recover = false }).Serialize(), Options.RetryDelay(attempt), cancellationToken).ConfigureAwait(false);
    }

    private async Task TryDeleteExportAsync(Sources.IExportSource source, BulkExportJob job, CancellationToken cancellationToken)
    {
        try
        {
            await source.DeleteAsync(job, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The server expires exports on its own; a failed DELETE must not fail a published run.
            _log.LogWarning("Deleting the server export failed ({Error}); the server will expire it.", ex.GetType().Name);
        }
    }

    private static bool IsStepFailure(Exception ex) => ex is not (StateStoreException or QueueLeaseLostException);

    private static IEnumerable<(ManifestFileKind, BulkExportFile)> Enumerate(BulkExportManifest manifest)
    {
        foreach (var f in manifest.Output) yield return (ManifestFileKind.Output, f);
        foreach (var f in manifest.Error) yield return (ManifestFileKind.Error, f);
        foreach (var f in manifest.Deleted) yield return (ManifestFileKind.Deleted, f);
    }
}
