using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Ingestion.Functions.Tests;

/// <summary>
/// An in-memory <see cref="DurableTaskClient"/> (the class is abstract, so hosts and tests can supply one): instances
/// with a status the test sets, and a record of every call the run API made.
/// </summary>
internal sealed class FakeDurableTaskClient() : DurableTaskClient("fake")
{
    public ConcurrentDictionary<string, OrchestrationMetadata> Instances { get; } = new();
    public ConcurrentQueue<(string InstanceId, string EventName, object? Payload)> RaisedEvents { get; } = new();
    public ConcurrentQueue<(TaskName Name, object? Input, string InstanceId)> Scheduled { get; } = new();
    public ConcurrentQueue<string> Terminated { get; } = new();
    public ConcurrentQueue<string> Purged { get; } = new();

    public OrchestrationMetadata Add(string id, OrchestrationRuntimeStatus status, string? customStatus = null, string? output = null)
    {
        var instance = new OrchestrationMetadata("ExportOrchestrator", id)
        {
            RuntimeStatus = status,
            CreatedAt = DateTimeOffset.Parse("2026-12-01T02:00:00Z"),
            LastUpdatedAt = DateTimeOffset.Parse("2026-12-01T02:05:00Z"),
            SerializedCustomStatus = customStatus,
            SerializedOutput = output,
        };
        Instances[id] = instance;
        return instance;
    }

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        var id = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        Scheduled.Enqueue((orchestratorName, input, id));
        Add(id, OrchestrationRuntimeStatus.Pending);
        return Task.FromResult(id);
    }

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        RaisedEvents.Enqueue((instanceId, eventName, eventPayload));
        return Task.CompletedTask;
    }

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        Terminated.Enqueue(instanceId);
        if (Instances.TryGetValue(instanceId, out var instance))
            Add(instanceId, OrchestrationRuntimeStatus.Terminated, instance.SerializedCustomStatus, instance.SerializedOutput);
        return Task.CompletedTask;
    }

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Task.FromResult(Instances.TryGetValue(instanceId, out var instance) ? instance : null);

    public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        var removed = Instances.TryRemove(instanceId, out _);
        if (removed) Purged.Enqueue(instanceId);
        return Task.FromResult(new PurgeResult(removed ? 1 : 0));
    }

    public override Task<string> RestartAsync(string instanceId, bool restartWithNewInstanceId = false, CancellationToken cancellation = default)
    {
        var id = restartWithNewInstanceId ? instanceId + "-restart" : instanceId;
        Add(id, OrchestrationRuntimeStatus.Pending);
        return Task.FromResult(id);
    }

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();
    /// <summary>Instances change only when the test (or terminate) says so: an ended one is returned, a running one never ends.</summary>
    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Instances.TryGetValue(instanceId, out var instance) && instance.IsCompleted ? Task.FromResult(instance) : throw new NotSupportedException("The fake's instances do not run.");
    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();
    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();
    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw new NotSupportedException();
    public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) => throw new NotSupportedException();
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
