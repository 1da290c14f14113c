using System.Runtime.CompilerServices;
using Ingestion.Storage;

namespace Ingestion.Pipeline.State;

/// <summary>
/// Typed access to a run's documents in the <see cref="IStateStore"/>: the run, its activities, its history
/// and the per-source watermark. Every write of a run or activity is conditional on the ETag it was read at.
/// </summary>
public sealed class OrchestrationState(IStateStore store, TimeProvider time)
{
    public const string RunKind = "run";
    public const string ActivityKind = "activity";
    public const string HistoryKind = "history";
    public const string WatermarkKind = "watermark";
    private const string RunId = "run";

    public TimeProvider Time => time;

    public async Task<Versioned<RunState>?> GetRunAsync(string instanceId, CancellationToken cancellationToken)
    {
        var doc = await store.GetAsync(instanceId, RunId, cancellationToken).ConfigureAwait(false);
        return doc is null ? null : new(StateJson.FromBody<RunState>(doc.Body), doc.ETag!);
    }

    public async Task<Versioned<RunState>> CreateRunAsync(RunState run, CancellationToken cancellationToken)
    {
        var doc = await store.CreateAsync(new StateDocument(run.InstanceId, RunId, RunKind, StateJson.ToBody(run)), cancellationToken).ConfigureAwait(false);
        return new(run, doc.ETag!);
    }

    /// <summary>Replaces the run if unchanged since read; throws <see cref="StateConflictException"/> otherwise.</summary>
    public async Task<Versioned<RunState>> ReplaceRunAsync(Versioned<RunState> current, RunState next, CancellationToken cancellationToken)
    {
        next = next with { LastUpdatedTime = time.GetUtcNow() };
        var doc = await store.ReplaceAsync(new StateDocument(next.InstanceId, RunId, RunKind, StateJson.ToBody(next)), current.ETag, cancellationToken).ConfigureAwait(false);
        return new(next, doc.ETag!);
    }

    /// <summary>Re-reads and applies <paramref name="change"/> until the write wins (or the change returns null: nothing to do).</summary>
    public async Task<Versioned<RunState>?> UpdateRunAsync(string instanceId, Func<RunState, RunState?> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await GetRunAsync(instanceId, cancellationToken).ConfigureAwait(false)
                ?? throw new RunNotFoundException(instanceId);
            var next = change(current.Value);
            if (next is null) return current;
            try
            {
                return await ReplaceRunAsync(current, next, cancellationToken).ConfigureAwait(false);
            }
            catch (StateConflictException)
            {
                // Another worker checkpointed first: re-read and re-decide.
            }
        }
    }

    public async IAsyncEnumerable<Versioned<RunState>> ListRunsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var doc in store.QueryKindAsync(RunKind, cancellationToken).ConfigureAwait(false))
        {
            yield return new(StateJson.FromBody<RunState>(doc.Body), doc.ETag!);
        }
    }

    public async Task<Versioned<ActivityState>?> GetActivityAsync(string instanceId, int index, CancellationToken cancellationToken)
    {
        var doc = await store.GetAsync(instanceId, ActivityState.DocumentId(index), cancellationToken).ConfigureAwait(false);
        return doc is null ? null : new(StateJson.FromBody<ActivityState>(doc.Body), doc.ETag!);
    }

    /// <summary>Creates the activity unless it exists already (re-delivered fan-out); returns the stored one.</summary>
    public async Task<Versioned<ActivityState>> EnsureActivityAsync(ActivityState activity, CancellationToken cancellationToken)
    {
        try
        {
            var doc = await store.CreateAsync(ActivityDocument(activity), cancellationToken).ConfigureAwait(false);
            return new(activity, doc.ETag!);
        }
        catch (StateConflictException)
        {
            return await GetActivityAsync(activity.InstanceId, activity.Index, cancellationToken).ConfigureAwait(false)
                ?? throw new StateNotFoundException(activity.InstanceId, ActivityState.DocumentId(activity.Index));
        }
    }

    public async Task<Versioned<ActivityState>> ReplaceActivityAsync(Versioned<ActivityState> current, ActivityState next, CancellationToken cancellationToken)
    {
        var doc = await store.ReplaceAsync(ActivityDocument(next), current.ETag, cancellationToken).ConfigureAwait(false);
        return new(next, doc.ETag!);
    }

    public async Task<List<ActivityState>> GetActivitiesAsync(string instanceId, CancellationToken cancellationToken)
    {
        var list = new List<ActivityState>();
        await foreach (var doc in store.QueryPartitionAsync(instanceId, ActivityKind, cancellationToken).ConfigureAwait(false))
        {
            list.Add(StateJson.FromBody<ActivityState>(doc.Body));
        }
        list.Sort((a, b) => a.Index.CompareTo(b.Index));
        return list;
    }

    /// <summary>Appends a history event. Ids sort by time; a re-delivered step may record its event twice (at-least-once history).</summary>
    public Task AppendHistoryAsync(string instanceId, HistoryEvent historyEvent, CancellationToken cancellationToken)
    {
        var id = $"history:{historyEvent.Timestamp.UtcTicks:D20}:{Guid.NewGuid():N}";
        return store.CreateAsync(new StateDocument(instanceId, id, HistoryKind, StateJson.ToBody(historyEvent)), cancellationToken);
    }

    public Task RecordAsync(string instanceId, string eventType, CancellationToken cancellationToken, int? activityIndex = null, int? attempt = null, TimeSpan? duration = null, string? detail = null) =>
        AppendHistoryAsync(instanceId, new HistoryEvent
        {
            Timestamp = time.GetUtcNow(),
            EventType = eventType,
            ActivityIndex = activityIndex,
            Attempt = attempt,
            DurationMs = duration?.TotalMilliseconds,
            Detail = detail,
        }, cancellationToken);

    public async Task<List<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellationToken)
    {
        var list = new List<HistoryEvent>();
        await foreach (var doc in store.QueryPartitionAsync(instanceId, HistoryKind, cancellationToken).ConfigureAwait(false))
        {
            list.Add(StateJson.FromBody<HistoryEvent>(doc.Body));
        }
        return list;
    }

    public async Task<SourceWatermark?> GetWatermarkAsync(string sourceId, CancellationToken cancellationToken)
    {
        var doc = await store.GetAsync(WatermarkPartition(sourceId), "watermark", cancellationToken).ConfigureAwait(false);
        return doc is null ? null : StateJson.FromBody<SourceWatermark>(doc.Body);
    }

    /// <summary>Moves the watermark forward only (a late re-delivered finalize never moves it back).</summary>
    public async Task AdvanceWatermarkAsync(SourceWatermark watermark, CancellationToken cancellationToken)
    {
        var partition = WatermarkPartition(watermark.SourceId);
        while (true)
        {
            var current = await store.GetAsync(partition, "watermark", cancellationToken).ConfigureAwait(false);
            var doc = new StateDocument(partition, "watermark", WatermarkKind, StateJson.ToBody(watermark));
            try
            {
                if (current is null)
                {
                    await store.CreateAsync(doc, cancellationToken).ConfigureAwait(false);
                    return;
                }
                if (StateJson.FromBody<SourceWatermark>(current.Body).TransactionTime >= watermark.TransactionTime) return;
                await store.ReplaceAsync(doc, current.ETag!, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (StateConflictException)
            {
                // Raced with another finalize: re-read.
            }
        }
    }

    /// <summary>Deletes every document of a run (purge).</summary>
    public async Task PurgeAsync(string instanceId, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await foreach (var doc in store.QueryPartitionAsync(instanceId, null, cancellationToken).ConfigureAwait(false)) ids.Add(doc.Id);
        foreach (var id in ids) await store.DeleteAsync(instanceId, id, null, cancellationToken).ConfigureAwait(false);
    }

    private static StateDocument ActivityDocument(ActivityState a) =>
        new(a.InstanceId, ActivityState.DocumentId(a.Index), ActivityKind, StateJson.ToBody(a));

    private static string WatermarkPartition(string sourceId) => "source:" + sourceId;
}

/// <summary>No run with this instance id exists.</summary>
public sealed class RunNotFoundException(string instanceId)
    : Exception($"Run '{instanceId}' does not exist.")
{
    public string InstanceId { get; } = instanceId;
}
