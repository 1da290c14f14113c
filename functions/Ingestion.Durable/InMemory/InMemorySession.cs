using DurableTask.Core;

namespace Ingestion.Durable.InMemory;

/// <summary>
/// An extended session of <see cref="InMemoryOrchestrationService"/>: the instance stays locked to the dispatcher
/// that runs it, which keeps its orchestration in memory and feeds it each new message instead of replaying its whole
/// history per episode (a file batch gets one episode per file result, so replay made each episode cost more than the
/// last). The session ends when the instance is idle for the idle timeout, or at once when the dispatcher stops.
/// </summary>
internal sealed class InMemorySession(InMemoryOrchestrationService service, InMemoryInstance instance) : IOrchestrationSession
{
    public Task<IList<TaskMessage>?> FetchNewOrchestrationMessagesAsync(TaskOrchestrationWorkItem workItem) =>
        service.NextSessionMessagesAsync(workItem.InstanceId, instance);

    /// <summary>Nothing to do: DTFx releases the work item right after, which unlocks the instance.</summary>
    public Task EndSessionAsync() => Task.CompletedTask;
}
