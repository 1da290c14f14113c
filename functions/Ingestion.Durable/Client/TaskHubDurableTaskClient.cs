using System.Globalization;
using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Query;
using Ingestion.Durable.InMemory;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Core = DurableTask.Core;
using OrchestrationQuery = Microsoft.DurableTask.Client.OrchestrationQuery;
using PurgeResult = Microsoft.DurableTask.Client.PurgeResult;

namespace Ingestion.Durable.Client;

/// <summary>
/// The Durable Task SDK's <see cref="DurableTaskClient"/> over a DTFx backend's <see cref="IOrchestrationServiceClient"/>,
/// so the CLI, <c>serve</c> and the Functions app program against one abstract client type.
/// </summary>
/// <remarks>
/// Starting an instance whose id is already Pending, Running or Suspended fails with
/// <see cref="Core.Exceptions.OrchestrationAlreadyExistsException"/> instead of replacing it: deterministic ids
/// (one run per source and schedule slot) rely on a second start being refused, never on it terminating the first.
/// </remarks>
public sealed class TaskHubDurableTaskClient : DurableTaskClient
{
    private static readonly Core.OrchestrationStatus[] RunningStatuses =
        [Core.OrchestrationStatus.Pending, Core.OrchestrationStatus.Running, Core.OrchestrationStatus.Suspended];

    private readonly IOrchestrationServiceClient _client;
    private readonly DataConverter _converter;
    private readonly TimeProvider _time;

    public TaskHubDurableTaskClient(string name, IOrchestrationServiceClient client, DataConverter converter, TimeProvider? time = null)
        : base(name)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _converter = converter ?? throw new ArgumentNullException(nameof(converter));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How often the wait methods look at the instance (DTFx backends have no push notification; the in-memory one's completion wakes them at once).</summary>
    public TimeSpan PollingInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(
        TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null,
        CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        var instance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = Guid.NewGuid().ToString("N") };
        var tags = options?.Tags?.ToDictionary(t => t.Key, t => t.Value) ?? new Dictionary<string, string>();
        tags[OrchestrationTags.RequestTime] = _time.GetUtcNow().ToString(CultureInfo.InvariantCulture);
        var message = new TaskMessage
        {
            OrchestrationInstance = instance,
            Event = new ExecutionStartedEvent(-1, _converter.Serialize(input))
            {
                Name = orchestratorName.Name,
                Version = options?.Version?.Version ?? string.Empty,
                OrchestrationInstance = instance,
                ScheduledStartTime = options?.StartAt?.UtcDateTime,
                Tags = tags,
            },
        };
        var dedupe = RunningStatuses
            .Concat(options?.DedupeStatuses?.Select(ParseStatus) ?? [])
            .Distinct()
            .ToArray();
        await _client.CreateTaskOrchestrationAsync(message, dedupe).WaitAsync(cancellation);
        return instanceId;
    }

    public override Task RaiseEventAsync(
        string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        return SendAsync(instanceId, new EventRaisedEvent(-1, _converter.Serialize(eventPayload)) { Name = eventName }, cancellation);
    }

    public override Task TerminateInstanceAsync(
        string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        cancellation.ThrowIfCancellationRequested();
        // Sub-orchestrations are not terminated with their parent (DTFx has no recursive terminate).
        return _client.ForceTerminateTaskOrchestrationAsync(instanceId, _converter.Serialize(options?.Output)).WaitAsync(cancellation);
    }

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new ExecutionSuspendedEvent(-1, reason), cancellation);

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new ExecutionResumedEvent(-1, reason), cancellation);

    public override async Task<OrchestrationMetadata?> GetInstancesAsync(
        string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var states = await _client.GetOrchestrationStateAsync(instanceId, allExecutions: false).WaitAsync(cancellation);
        var state = states?.FirstOrDefault(s => s is not null);
        return state is null ? null : ToMetadata(state, getInputsAndOutputs);
    }

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null)
    {
        var queries = As<IOrchestrationServiceQueryClient>("querying instances");
        return Pageable.Create(async (continuation, pageSize, cancellation) =>
        {
            var query = new Core.Query.OrchestrationQuery
            {
                RuntimeStatus = filter?.Statuses?.Select(s => s.ToCoreStatus()).ToList(),
                CreatedTimeFrom = filter?.CreatedFrom?.UtcDateTime,
                CreatedTimeTo = filter?.CreatedTo?.UtcDateTime,
                TaskHubNames = filter?.TaskHubNames?.ToList(),
                PageSize = pageSize ?? filter?.PageSize ?? OrchestrationQuery.DefaultPageSize,
                ContinuationToken = continuation ?? filter?.ContinuationToken,
                InstanceIdPrefix = filter?.InstanceIdPrefix,
                FetchInputsAndOutputs = filter?.FetchInputsAndOutputs ?? false,
            };
            OrchestrationQueryResult result = await queries.GetOrchestrationWithQueryAsync(query, cancellation);
            var page = result.OrchestrationState.Select(s => ToMetadata(s, query.FetchInputsAndOutputs)).ToList();
            return new Page<OrchestrationMetadata>(page, result.ContinuationToken);
        });
    }

    public override async Task<OrchestrationMetadata> WaitForInstanceStartAsync(
        string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        while (true)
        {
            var metadata = await GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation)
                ?? throw new InvalidOperationException($"Orchestration instance '{instanceId}' does not exist.");
            if (metadata.RuntimeStatus != OrchestrationRuntimeStatus.Pending) return metadata;
            await Task.Delay(PollingInterval, _time, cancellation);
        }
    }

    public override async Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(
        string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        // Polling through the status record rather than the backend's own wait: it honours the cancellation token
        // on every backend and returns ContinuedAsNew chains only once they really end.
        while (true)
        {
            var metadata = await GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation)
                ?? throw new InvalidOperationException($"Orchestration instance '{instanceId}' does not exist.");
            if (metadata.IsCompleted) return metadata;
            await NextLookAsync(instanceId, cancellation);
        }
    }

    /// <summary>
    /// Until the next look at a running instance: the polling interval, or on the in-memory backend (which signals
    /// every change) until the instance ends, so a CLI run ends the moment its orchestration does.
    /// </summary>
    private Task NextLookAsync(string instanceId, CancellationToken cancellation) =>
        _client is InMemoryOrchestrationService inMemory
            ? inMemory.WaitForOrchestrationAsync(instanceId, null!, PollingInterval, cancellation)
            : Task.Delay(PollingInterval, _time, cancellation);

    public override async Task<PurgeResult> PurgeInstanceAsync(
        string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var purge = As<IOrchestrationServicePurgeClient>("purging instances");
        var metadata = await GetInstancesAsync(instanceId, false, cancellation);
        if (metadata is null) return new PurgeResult(0);
        if (!metadata.IsCompleted)
            throw new InvalidOperationException(
                $"Orchestration instance '{instanceId}' is {metadata.RuntimeStatus}: only a completed, failed or terminated instance can be purged.");
        var result = await purge.PurgeInstanceStateAsync(instanceId).WaitAsync(cancellation);
        return new PurgeResult(result.DeletedInstanceCount);
    }

    public override async Task<PurgeResult> PurgeAllInstancesAsync(
        PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var purge = As<IOrchestrationServicePurgeClient>("purging instances");
        var coreFilter = new PurgeInstanceFilter(
            filter.CreatedFrom?.UtcDateTime ?? DateTime.MinValue,
            filter.CreatedTo?.UtcDateTime,
            filter.Statuses?.Select(s => s.ToCoreStatus()));
        var result = await purge.PurgeInstanceStateAsync(coreFilter).WaitAsync(cancellation);
        return new PurgeResult(result.DeletedInstanceCount);
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask; // The backend is owned by the container.

    private Task SendAsync(string instanceId, HistoryEvent historyEvent, CancellationToken cancellation)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        cancellation.ThrowIfCancellationRequested();
        var message = new TaskMessage { OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId }, Event = historyEvent };
        return _client.SendTaskOrchestrationMessageAsync(message).WaitAsync(cancellation);
    }

    private OrchestrationMetadata ToMetadata(Core.OrchestrationState state, bool withData)
    {
        // The Azure Storage backend keeps a failure only as "ErrorType: message" in the output column.
        var failure = state.FailureDetails.ToTaskFailureDetails()
            ?? (state.OrchestrationStatus == Core.OrchestrationStatus.Failed ? FailureFromOutput(state.Output) : null);
        return new OrchestrationMetadata(state.Name, state.OrchestrationInstance.InstanceId)
        {
            DataConverter = withData ? _converter : null,
            RuntimeStatus = state.OrchestrationStatus.ToRuntimeStatus(),
            CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.CreatedTime, DateTimeKind.Utc)),
            LastUpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.LastUpdatedTime, DateTimeKind.Utc)),
            SerializedInput = withData ? state.Input : null,
            SerializedOutput = withData && failure is null ? state.Output : null,
            SerializedCustomStatus = state.Status,
            FailureDetails = failure,
        };
    }

    private static TaskFailureDetails? FailureFromOutput(string? output)
    {
        if (string.IsNullOrEmpty(output)) return null;
        var separator = output.IndexOf(": ", StringComparison.Ordinal);
        return separator > 0 && !output[..separator].Contains(' ')
            ? new TaskFailureDetails(output[..separator], output[(separator + 2)..], null, null, null)
            : new TaskFailureDetails("OrchestrationFailed", output, null, null, null);
    }

    private T As<T>(string what) where T : class =>
        _client as T ?? throw new NotSupportedException($"The Durable backend {_client.GetType().Name} does not support {what}.");

    private static Core.OrchestrationStatus ParseStatus(string status) =>
        Enum.TryParse<OrchestrationRuntimeStatus>(status, ignoreCase: true, out var parsed)
            ? parsed.ToCoreStatus()
            : throw new ArgumentException($"'{status}' is not an orchestration runtime status.", nameof(status));
}
