using System.Globalization;
using DurableTask.Core;
using DurableTask.Core.Common;
using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using DurableTask.Core.Query;
using Newtonsoft.Json;

namespace Ingestion.Durable.InMemory;

/// <summary>
/// A DTFx backend that keeps everything in this process: the embedded default (<c>demo</c>, runs with no storage
/// configured). Timers, sub-orchestrations, external events, terminate, suspend, queries and purge work as on Azure
/// Storage; nothing survives the process (not crash-durable), which is why the data path is idempotent.
/// </summary>
/// <remarks>
/// One lock guards every instance: episodes are short and a single process is the only client, so contention is
/// not a concern and the invariants (one episode per instance at a time, messages never lost between episodes)
/// stay easy to check. Work items are never leased: nothing else could take them over.
/// </remarks>
public sealed class InMemoryOrchestrationService :
    IOrchestrationService, IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, InMemoryInstance> _instances = new(StringComparer.Ordinal);
    private readonly DispatchQueue<string> _ready = new();
    private readonly DispatchQueue<TaskMessage> _activities = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly InMemoryOrchestrationServiceOptions _options;
    private readonly TimeProvider _time;
    private TaskCompletionSource _changed = NewSignal();
    private long _activityWorkItemIds;
    private CancellationToken _dispatcherStop;
    private bool _sessionsEnding;

    public InMemoryOrchestrationService(InMemoryOrchestrationServiceOptions? options = null, TimeProvider? time = null)
    {
        _options = options ?? new InMemoryOrchestrationServiceOptions();
        _time = time ?? TimeProvider.System;
        _disposed.Token.UnsafeRegister(static state => ((InMemoryOrchestrationService)state!).EndSessions(), this);
    }

    public int TaskOrchestrationDispatcherCount => 1;

    public int MaxConcurrentTaskOrchestrationWorkItems => _options.MaxConcurrentOrchestrations;

    public int TaskActivityDispatcherCount => 1;

    public int MaxConcurrentTaskActivityWorkItems => _options.MaxConcurrentActivities;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => BehaviorOnContinueAsNew.Carryover;

    // ---- lifecycle: nothing to create or delete outside this object ----

    public Task StartAsync() => Task.CompletedTask;

    public Task StopAsync() => Task.CompletedTask;

    public Task StopAsync(bool isForced) => Task.CompletedTask;

    public Task CreateAsync() => CreateAsync(recreateInstanceStore: true);

    public Task CreateAsync(bool recreateInstanceStore)
    {
        if (recreateInstanceStore) lock (_gate) _instances.Clear();
        return Task.CompletedTask;
    }

    public Task CreateIfNotExistsAsync() => Task.CompletedTask;

    public Task DeleteAsync() => CreateAsync(recreateInstanceStore: true);

    public Task DeleteAsync(bool deleteInstanceStore) => CreateAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => false;

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => exception is OperationCanceledException ? 0 : 1;

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => exception is OperationCanceledException ? 0 : 1;

    // ---- orchestration work items ----

    public async Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        WatchDispatcherStop(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        timeout.CancelAfter(receiveTimeout);
        while (true)
        {
            // Null on timeout or shutdown: DTFx treats it as "nothing to do" and polls again, or stops.
            if (await _ready.TakeAsync(timeout.Token) is not { } instanceId) return null!;
            lock (_gate)
            {
                if (!_instances.TryGetValue(instanceId, out var instance)) continue; // purged meanwhile
                instance.Queued = false;
                if (instance.Locked || instance.Pending.Count == 0) continue;
                if (IsTerminal(instance.State.OrchestrationStatus))
                {
                    instance.Pending = []; // arrived during the episode that finished it
                    continue;
                }
                instance.Locked = true;
                var messages = instance.Pending;
                instance.Pending = [];
                return new TaskOrchestrationWorkItem
                {
                    InstanceId = instanceId,
                    OrchestrationRuntimeState = new OrchestrationRuntimeState(instance.History.ToList()),
                    NewMessages = messages,
                    LockedUntilUtc = DateTime.MaxValue, // no lease to renew
                    Session = _options.ExtendedSessions && !_sessionsEnding ? new InMemorySession(this, instance) : null,
                };
            }
        }
    }

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => Task.CompletedTask;

    /// <summary>
    /// The next messages of an instance its <see cref="InMemorySession"/> holds; null ends the session (idle for the
    /// idle timeout, the dispatcher stopping, the instance gone or replaced by a new execution).
    /// </summary>
    internal async Task<IList<TaskMessage>?> NextSessionMessagesAsync(string instanceId, InMemoryInstance instance)
    {
        TaskCompletionSource<bool> wait;
        lock (_gate)
        {
            if (TakeSessionMessages(instanceId, instance) is { } ready) return ready;
            if (_sessionsEnding || !IsHeld(instanceId, instance)) return null;
            // Continuations inline: when the dispatcher stops, the session must be over before its stop looks (see
            // DispatchQueue); messages complete it from a pool thread (MarkReady runs under the lock).
            wait = instance.SessionWait = new TaskCompletionSource<bool>();
        }
        using (var idle = new CancellationTokenSource(_options.SessionIdleTimeout, _time))
        using (idle.Token.UnsafeRegister(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), wait))
            await wait.Task.ConfigureAwait(false);
        lock (_gate)
        {
            if (ReferenceEquals(instance.SessionWait, wait)) instance.SessionWait = null;
            return _sessionsEnding ? null : TakeSessionMessages(instanceId, instance);
        }
    }

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        lock (_gate)
        {
            if (_instances.TryGetValue(workItem.InstanceId, out var instance))
            {
                KeepHistory(instance, newOrchestrationRuntimeState.Events);
                var state = orchestrationState ?? Utils.BuildOrchestrationState(newOrchestrationRuntimeState);
                state.CreatedTime = instance.State.CreatedTime; // DTFx takes it from the start event; keep the creation time
                instance.State = state;
            }
            foreach (var message in orchestratorMessages) Deliver(message);
            foreach (var message in timerMessages) Deliver(message);
            if (continuedAsNewMessage is not null) Deliver(continuedAsNewMessage);
            SignalChange();
        }
        foreach (var message in outboundMessages) _activities.Enqueue(message);
        return Task.CompletedTask;
    }

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem)
    {
        // The messages go back in front of anything that arrived meanwhile; ReleaseTaskOrchestrationWorkItemAsync
        // (always called next) unlocks the instance.
        lock (_gate)
            if (_instances.TryGetValue(workItem.InstanceId, out var instance))
                instance.Pending.InsertRange(0, workItem.NewMessages);
        return Task.CompletedTask;
    }

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem)
    {
        lock (_gate)
        {
            if (_instances.TryGetValue(workItem.InstanceId, out var instance))
            {
                instance.Locked = false;
                MarkReady(workItem.InstanceId, instance);
            }
        }
        return Task.CompletedTask;
    }

    // ---- activity work items ----

    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        timeout.CancelAfter(receiveTimeout);
        if (await _activities.TakeAsync(timeout.Token) is not { } message) return null!;
        return new TaskActivityWorkItem
        {
            Id = Interlocked.Increment(ref _activityWorkItemIds).ToString(CultureInfo.InvariantCulture),
            TaskMessage = message,
            LockedUntilUtc = DateTime.MaxValue,
        };
    }

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => Task.FromResult(workItem);

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        lock (_gate) Deliver(responseMessage);
        return Task.CompletedTask;
    }

    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        _activities.Enqueue(workItem.TaskMessage);
        return Task.CompletedTask;
    }

    // ---- client ----

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage) =>
        CreateTaskOrchestrationAsync(creationMessage, [OrchestrationStatus.Pending, OrchestrationStatus.Running, OrchestrationStatus.Suspended]);

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage, OrchestrationStatus[] dedupeStatuses)
    {
        if (creationMessage.Event is not ExecutionStartedEvent)
            throw new ArgumentException("A creation message carries an ExecutionStartedEvent.", nameof(creationMessage));
        var instanceId = creationMessage.OrchestrationInstance.InstanceId;
        lock (_gate)
        {
            if (_instances.TryGetValue(instanceId, out var existing) && dedupeStatuses?.Contains(existing.State.OrchestrationStatus) == true)
                throw new OrchestrationAlreadyExistsException(
                    $"Orchestration instance '{instanceId}' already exists with status {existing.State.OrchestrationStatus}.");
            Deliver(creationMessage);
            SignalChange();
        }
        return Task.CompletedTask;
    }

    public Task SendTaskOrchestrationMessageAsync(TaskMessage message)
    {
        lock (_gate) Deliver(message);
        return Task.CompletedTask;
    }

    public Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] messages)
    {
        lock (_gate)
            foreach (var message in messages) Deliver(message);
        return Task.CompletedTask;
    }

    public Task ForceTerminateTaskOrchestrationAsync(string instanceId, string reason) =>
        SendTaskOrchestrationMessageAsync(new TaskMessage
        {
            OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId },
            Event = new ExecutionTerminatedEvent(-1, reason),
        });

    public async Task<OrchestrationState> WaitForOrchestrationAsync(
        string instanceId, string executionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout > TimeSpan.Zero && timeout != TimeSpan.MaxValue) linked.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_instances.TryGetValue(instanceId, out var instance)
                    && (executionId is null || instance.State.OrchestrationInstance.ExecutionId == executionId)
                    && IsTerminal(instance.State.OrchestrationStatus))
                    return Copy(instance.State, withData: true);
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null!; // timed out, as the Azure Storage backend reports it
            }
        }
    }

    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string instanceId, bool allExecutions)
    {
        lock (_gate)
        {
            IList<OrchestrationState> states = _instances.TryGetValue(instanceId, out var instance)
                ? [Copy(instance.State, withData: true)]
                : [];
            return Task.FromResult(states);
        }
    }

    public Task<OrchestrationState> GetOrchestrationStateAsync(string instanceId, string executionId)
    {
        lock (_gate)
        {
            var found = _instances.TryGetValue(instanceId, out var instance)
                && (executionId is null || instance.State.OrchestrationInstance.ExecutionId == executionId);
            return Task.FromResult(found ? Copy(instance!.State, withData: true) : null!);
        }
    }

    public Task<string> GetOrchestrationHistoryAsync(string instanceId, string executionId)
    {
        lock (_gate)
        {
            var history = _instances.TryGetValue(instanceId, out var instance)
                && (executionId is null || instance.State.OrchestrationInstance.ExecutionId == executionId)
                    ? instance.History
                    : [];
            return Task.FromResult(JsonConvert.SerializeObject(history));
        }
    }

    public Task PurgeOrchestrationHistoryAsync(DateTime thresholdDateTimeUtc, OrchestrationStateTimeRangeFilterType timeRangeFilterType)
    {
        lock (_gate)
        {
            var old = _instances
                .Where(i => IsTerminal(i.Value.State.OrchestrationStatus) && timeRangeFilterType switch
                {
                    OrchestrationStateTimeRangeFilterType.OrchestrationCreatedTimeFilter => i.Value.State.CreatedTime,
                    OrchestrationStateTimeRangeFilterType.OrchestrationCompletedTimeFilter => i.Value.State.CompletedTime,
                    _ => i.Value.State.LastUpdatedTime,
                } < thresholdDateTimeUtc)
                .Select(i => i.Key)
                .ToList();
            foreach (var id in old) _instances.Remove(id);
        }
        return Task.CompletedTask;
    }

    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery query, CancellationToken cancellationToken)
    {
        var skip = string.IsNullOrEmpty(query.ContinuationToken) ? 0 : int.Parse(query.ContinuationToken, CultureInfo.InvariantCulture);
        var pageSize = query.PageSize > 0 ? query.PageSize : 100;
        lock (_gate)
        {
            var matching = _instances.Values
                .Select(i => i.State)
                .Where(s => query.RuntimeStatus is not { Count: > 0 } || query.RuntimeStatus.Contains(s.OrchestrationStatus))
                .Where(s => query.CreatedTimeFrom is null || s.CreatedTime >= query.CreatedTimeFrom)
                .Where(s => query.CreatedTimeTo is null || s.CreatedTime <= query.CreatedTimeTo)
                .Where(s => query.InstanceIdPrefix is null
                    || s.OrchestrationInstance.InstanceId.StartsWith(query.InstanceIdPrefix, StringComparison.Ordinal))
                .OrderBy(s => s.CreatedTime).ThenBy(s => s.OrchestrationInstance.InstanceId, StringComparer.Ordinal)
                .ToList();
            var page = matching.Skip(skip).Take(pageSize).Select(s => Copy(s, query.FetchInputsAndOutputs)).ToList();
            var next = skip + page.Count < matching.Count ? (skip + page.Count).ToString(CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new OrchestrationQueryResult(page, next));
        }
    }

    public Task<PurgeResult> PurgeInstanceStateAsync(string instanceId)
    {
        lock (_gate)
        {
            var purged = _instances.TryGetValue(instanceId, out var instance)
                && IsTerminal(instance.State.OrchestrationStatus)
                && _instances.Remove(instanceId);
            return Task.FromResult(new PurgeResult(purged ? 1 : 0));
        }
    }

    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter purgeInstanceFilter)
    {
        lock (_gate)
        {
            var statuses = purgeInstanceFilter.RuntimeStatus?.ToList();
            var ids = _instances
                .Where(i => IsTerminal(i.Value.State.OrchestrationStatus)
                    && (statuses is not { Count: > 0 } || statuses.Contains(i.Value.State.OrchestrationStatus))
                    && i.Value.State.CreatedTime >= purgeInstanceFilter.CreatedTimeFrom
                    && (purgeInstanceFilter.CreatedTimeTo is null || i.Value.State.CreatedTime <= purgeInstanceFilter.CreatedTimeTo))
                .Select(i => i.Key)
                .ToList();
            foreach (var id in ids) _instances.Remove(id);
            return Task.FromResult(new PurgeResult(ids.Count));
        }
    }

    public void Dispose()
    {
        // Stops pending timer deliveries and idle polls. The source is not disposed: dispatchers still draining
        // after the host stopped may link to its token.
        _disposed.Cancel();
    }

    /// <summary>
    /// A dispatcher still running after disposal (its host disposed without being stopped) gets an error, which DTFx
    /// answers with a pause; "nothing to do" would have it fetch again at once, in a loop on the disposing thread.
    /// </summary>
    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);

    // ---- internals (call with _gate held) ----

    /// <summary>Routes a message to its instance now, or when its timer or scheduled start is due.</summary>
    private void Deliver(TaskMessage message)
    {
        var instanceId = message.OrchestrationInstance.InstanceId;
        if (message.Event is ExecutionStartedEvent started)
        {
            // A new execution (client start or parent's sub-orchestration): a fresh, Pending instance.
            var now = _time.GetUtcNow().UtcDateTime;
            _instances[instanceId] = new InMemoryInstance(new OrchestrationState
            {
                OrchestrationInstance = message.OrchestrationInstance,
                Name = started.Name,
                Version = started.Version,
                Input = started.Input,
                Tags = started.Tags,
                ParentInstance = started.ParentInstance,
                OrchestrationStatus = OrchestrationStatus.Pending,
                CreatedTime = now,
                LastUpdatedTime = now,
                CompletedTime = DateTime.MaxValue,
                ScheduledStartTime = started.ScheduledStartTime,
            });
        }
        if (!_instances.TryGetValue(instanceId, out var instance)) return; // no such instance (never created, or purged)
        // A finished instance takes no more messages (Azure Storage drops them too): an activity result or timer
        // arriving after a terminate would otherwise replay the orchestration and let it schedule more work.
        if (IsTerminal(instance.State.OrchestrationStatus)) return;

        var due = message.Event switch
        {
            TimerFiredEvent timer => timer.FireAt,
            ExecutionStartedEvent { ScheduledStartTime: { } start } => start,
            _ => (DateTime?)null,
        };
        var delay = due is null ? TimeSpan.Zero : DateTime.SpecifyKind(due.Value, DateTimeKind.Utc) - _time.GetUtcNow().UtcDateTime;
        if (delay > TimeSpan.Zero)
        {
            _ = DeliverLaterAsync(message, delay);
            return;
        }
        instance.Pending.Add(message);
        MarkReady(instanceId, instance);
    }

    private async Task DeliverLaterAsync(TaskMessage message, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _disposed.Token);
        }
        catch (OperationCanceledException)
        {
            return; // disposed: the process is going away with everything else in memory
        }
        lock (_gate)
        {
            if (!_instances.TryGetValue(message.OrchestrationInstance.InstanceId, out var instance)) return;
            instance.Pending.Add(message);
            MarkReady(message.OrchestrationInstance.InstanceId, instance);
        }
    }

    /// <summary>
    /// Stores an episode's history. Within one execution it only grows, and the episode's state starts with the stored
    /// events (the same objects): only the new ones are appended, so an episode costs its own events, not the whole
    /// history (a file batch has one episode per work unit). A new execution (continue-as-new) replaces it.
    /// </summary>
    private static void KeepHistory(InMemoryInstance instance, IList<HistoryEvent> events)
    {
        var history = instance.History;
        if (history.Count > 0 && events.Count >= history.Count
            && ReferenceEquals(events[0], history[0]) && ReferenceEquals(events[history.Count - 1], history[^1]))
        {
            for (var i = history.Count; i < events.Count; i++) history.Add(events[i]);
            return;
        }
        instance.History = [.. events];
    }

    private void MarkReady(string instanceId, InMemoryInstance instance)
    {
        if (instance.Locked && instance.Pending.Count > 0 && instance.SessionWait is { } session)
        {
            // The session holding the instance takes the messages; its episode must not run on this thread (the lock).
            instance.SessionWait = null;
            ThreadPool.UnsafeQueueUserWorkItem(static wait => wait.TrySetResult(true), session, preferLocal: false);
            return;
        }
        if (instance.Locked || instance.Queued || instance.Pending.Count == 0) return;
        instance.Queued = true;
        _ready.Enqueue(instanceId);
    }

    /// <summary>The instance's waiting messages for its session, or null when it has none or is no longer the session's.</summary>
    private IList<TaskMessage>? TakeSessionMessages(string instanceId, InMemoryInstance instance)
    {
        if (!IsHeld(instanceId, instance) || instance.Pending.Count == 0) return null;
        if (IsTerminal(instance.State.OrchestrationStatus))
        {
            instance.Pending = []; // arrived during the episode that finished it
            return null;
        }
        var messages = instance.Pending;
        instance.Pending = [];
        return messages;
    }

    private bool IsHeld(string instanceId, InMemoryInstance instance) =>
        instance.Locked && _instances.TryGetValue(instanceId, out var current) && ReferenceEquals(current, instance);

    /// <summary>
    /// DTFx cancels the token it passes to every fetch when its dispatcher stops: that is when the sessions must end,
    /// before the stop counts the work items still running (a waiting session is one).
    /// </summary>
    private void WatchDispatcherStop(CancellationToken stop)
    {
        lock (_gate)
        {
            if (!stop.CanBeCanceled || stop.Equals(_dispatcherStop)) return;
            _dispatcherStop = stop;
            _sessionsEnding = false; // a new worker on this service
        }
        stop.UnsafeRegister(static state => ((InMemoryOrchestrationService)state!).EndSessions(), this);
    }

    private void EndSessions()
    {
        List<TaskCompletionSource<bool>> waiting;
        lock (_gate)
        {
            _sessionsEnding = true;
            waiting = [.. _instances.Values.Select(i => i.SessionWait).OfType<TaskCompletionSource<bool>>()];
            foreach (var instance in _instances.Values) instance.SessionWait = null;
        }
        foreach (var wait in waiting) wait.TrySetResult(false); // inline: the sessions end before the stop looks
    }

    private void SignalChange()
    {
        _changed.TrySetResult();
        _changed = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static bool IsTerminal(OrchestrationStatus status) =>
        status is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;

    /// <summary>A snapshot the caller may keep: the stored record goes on changing.</summary>
    private static OrchestrationState Copy(OrchestrationState state, bool withData) => new()
    {
        OrchestrationInstance = state.OrchestrationInstance,
        Name = state.Name,
        Version = state.Version,
        Status = state.Status,
        Tags = state.Tags,
        OrchestrationStatus = state.OrchestrationStatus,
        ParentInstance = state.ParentInstance,
        CreatedTime = state.CreatedTime,
        LastUpdatedTime = state.LastUpdatedTime,
        CompletedTime = state.CompletedTime,
        ScheduledStartTime = state.ScheduledStartTime,
        FailureDetails = state.FailureDetails,
        Input = withData ? state.Input : null,
        Output = withData ? state.Output : null,
    };
}
