using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Pipeline;

/// <summary>
/// The management API: start a run, read its status (Durable-Functions-style), list runs, cancel, resume
/// (recover an interrupted run or retry its failed files) and purge (history and staged data).
/// </summary>
public sealed class OrchestrationClient(OrchestrationServices services)
{
    private readonly OrchestrationState _state = services.State;

    /// <summary>Creates the run document and schedules its first step; returns the instance id.</summary>
    public async Task<string> StartNewAsync(RunInput input, string? instanceId = null, CancellationToken cancellationToken = default)
    {
        instanceId ??= NewInstanceId(services.Time.GetUtcNow());
        var now = services.Time.GetUtcNow();
        await _state.CreateRunAsync(new RunState { InstanceId = instanceId, Input = input, CreatedTime = now, LastUpdatedTime = now }, cancellationToken).ConfigureAwait(false);
        await _state.RecordAsync(instanceId, "RunScheduled", cancellationToken, detail: input.Kind.ToString()).ConfigureAwait(false);
        await services.WorkQueue.EnqueueAsync(WorkMessage.Orchestrate(instanceId).Serialize(), null, cancellationToken).ConfigureAwait(false);
        var announced = await services.Events.PublishAsync(new RunEvent($"{instanceId}:{RunEventType.RunStarted}", RunEventType.RunStarted, instanceId, input.SourceId, now), cancellationToken).ConfigureAwait(false);
        if (!announced.Delivered) await _state.RecordAsync(instanceId, "RunEventNotSent", cancellationToken, detail: announced.Reason).ConfigureAwait(false);
        return instanceId;
    }

    /// <summary>Sortable, unique, no PHI: "20261122T001500Z-1a2b3c4d".</summary>
    public static string NewInstanceId(DateTimeOffset now) => $"{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid().ToString("N")[..8]}";

    public async Task<RunStatus?> GetStatusAsync(string instanceId, bool showHistory = false, CancellationToken cancellationToken = default)
    {
        var run = await _state.GetRunAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (run is null) return null;
        var activities = await _state.GetActivitiesAsync(instanceId, cancellationToken).ConfigureAwait(false);
        var history = showHistory ? await _state.GetHistoryAsync(instanceId, cancellationToken).ConfigureAwait(false) : null;
        return ToStatus(run.Value, activities, history);
    }

    public async Task<IReadOnlyList<RunStatus>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<RunStatus>();
        await foreach (var run in _state.ListRunsAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(ToStatus(run.Value, [], null));
        }
        return list.OrderByDescending(s => s.CreatedTime).ToList();
    }

    /// <summary>Stops scheduling, marks the run Canceled and deletes the server's export. Returns false when the run was already terminal.</summary>
    public async Task<bool> CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default)
    {
        var canceled = false;
        var run = await _state.UpdateRunAsync(instanceId, r =>
        {
            if (r.RuntimeStatus.IsTerminal()) return null;
            canceled = true;
            return r with { RuntimeStatus = RuntimeStatus.Canceled, FailureReason = reason };
        }, cancellationToken).ConfigureAwait(false);
        if (!canceled || run is null) return false;
        await _state.RecordAsync(instanceId, "RunCanceled", cancellationToken, detail: reason).ConfigureAwait(false);
        if (run.Value.Job is { } job)
        {
            await services.Sources.Create(run.Value.Input).DeleteAsync(job, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>
    /// Continues an interrupted run (re-enqueues its unfinished work), or retries the failed files of a Failed
    /// run. Returns false when there is nothing to resume (Completed or Canceled).
    /// </summary>
    public async Task<bool> ResumeAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var run = await _state.GetRunAsync(instanceId, cancellationToken).ConfigureAwait(false) ?? throw new RunNotFoundException(instanceId);
        if (run.Value.RuntimeStatus is RuntimeStatus.Completed or RuntimeStatus.Canceled or RuntimeStatus.Terminated) return false;
        if (run.Value.RuntimeStatus == RuntimeStatus.Failed)
        {
            var failedFiles = 0;
            foreach (var activity in await _state.GetActivitiesAsync(instanceId, cancellationToken).ConfigureAwait(false))
            {
                if (activity.Status != ActivityStatus.Failed) continue;
                var current = await _state.GetActivityAsync(instanceId, activity.Index, cancellationToken).ConfigureAwait(false);
                await _state.ReplaceActivityAsync(current!, current!.Value with { Status = ActivityStatus.Pending, Attempt = 0, Error = null, CompletedAt = null }, cancellationToken).ConfigureAwait(false);
                failedFiles++;
            }
            // A run that failed before its manifest arrived starts over from its last checkpointed phase.
            var phase = run.Value.Phase is RunPhase.Finalizing ? RunPhase.Processing : run.Value.Phase;
            await _state.ReplaceRunAsync(run, run.Value with { RuntimeStatus = RuntimeStatus.Running, Phase = phase, FailureReason = null, Output = null }, cancellationToken).ConfigureAwait(false);
            await _state.RecordAsync(instanceId, "RunResumed", cancellationToken, detail: $"retrying files={failedFiles}").ConfigureAwait(false);
        }
        else
        {
            await _state.RecordAsync(instanceId, "RunResumed", cancellationToken).ConfigureAwait(false);
        }
        await services.WorkQueue.EnqueueAsync(WorkMessage.Orchestrate(instanceId, recover: true).Serialize(), null, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Deletes a terminal run's history, state and staged data (its published parts, reports, manifest and quarantine).</summary>
    public async Task PurgeAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var run = await _state.GetRunAsync(instanceId, cancellationToken).ConfigureAwait(false) ?? throw new RunNotFoundException(instanceId);
        if (!run.Value.RuntimeStatus.IsTerminal()) throw new InvalidOperationException($"Run '{instanceId}' is {run.Value.RuntimeStatus}: cancel it before purging.");
        // The manifest goes first so readers stop seeing the run before its parts disappear.
        await services.Lake.DeleteAsync(LakePaths.RunManifest(instanceId), cancellationToken).ConfigureAwait(false);
        await DeleteMatchingAsync(services.Lake, "omop/", $"/run={instanceId}/", cancellationToken).ConfigureAwait(false);
        await DeleteMatchingAsync(services.Lake, $"reports/{instanceId}/", null, cancellationToken).ConfigureAwait(false);
        await DeleteMatchingAsync(services.QuarantineLake, LakePaths.QuarantinePrefix(instanceId), null, cancellationToken).ConfigureAwait(false);
        await _state.PurgeAsync(instanceId, cancellationToken).ConfigureAwait(false);
    }

    private static async Task DeleteMatchingAsync(ILake lake, string prefix, string? contains, CancellationToken cancellationToken)
    {
        var paths = new List<string>();
        await foreach (var item in lake.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (contains is null || item.Path.Contains(contains, StringComparison.Ordinal)) paths.Add(item.Path);
        }
        foreach (var path in paths) await lake.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
    }

    internal static RunStatus ToStatus(RunState run, IReadOnlyList<ActivityState> activities, IReadOnlyList<HistoryEvent>? history)
    {
        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long read = 0, valid = 0, quarantined = 0, notCovered = 0, excluded = 0, bytes = 0, unmapped = 0, deletions = 0, serverErrors = 0;
        foreach (var a in activities)
        {
            if (a.Result is not { } r) continue;
            read += r.LinesRead; valid += r.ResourcesValid; quarantined += r.Quarantined; notCovered += r.NotCovered; excluded += r.Excluded;
            bytes += r.Bytes; deletions += r.Deletions; serverErrors += r.ServerErrors;
            foreach (var (table, n) in r.RowsByTable) rows[table] = rows.GetValueOrDefault(table) + n;
            foreach (var (_, n) in r.UnmappedRowsByTable) unmapped += n;
        }
        return new RunStatus
        {
            InstanceId = run.InstanceId,
            RuntimeStatus = run.RuntimeStatus,
            Input = run.Input,
            Output = run.Output,
            CreatedTime = run.CreatedTime,
            LastUpdatedTime = run.LastUpdatedTime,
            HistoryEvents = history,
            CustomStatus = new RunCustomStatus
            {
                Phase = run.Phase,
                Progress = run.Progress,
                FilesTotal = run.FileCount,
                FilesDone = activities.Count(a => a.Status == ActivityStatus.Completed),
                FilesFailed = activities.Count(a => a.Status == ActivityStatus.Failed),
                FilesRunning = activities.Count(a => a.Status == ActivityStatus.Running),
                ResourcesRead = read,
                ResourcesValid = valid,
                ResourcesQuarantined = quarantined,
                ResourcesNotCovered = notCovered,
                ResourcesExcluded = excluded,
                Deletions = deletions,
                ServerErrors = serverErrors,
                Bytes = bytes,
                UnmappedRows = unmapped,
                RowsByTable = rows,
                FailureReason = run.FailureReason,
            },
        };
    }
}
