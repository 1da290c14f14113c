using DurableTask.Core;
using DurableTask.Core.History;

namespace Ingestion.Durable.InMemory;

/// <summary>
/// One orchestration instance held by <see cref="InMemoryOrchestrationService"/>: its status record, the history of
/// its current execution and the messages waiting for its next episode. Guarded by the service's lock.
/// </summary>
internal sealed class InMemoryInstance(OrchestrationState state)
{
    public OrchestrationState State { get; set; } = state;

    /// <summary>The current execution's history: appended to when an episode completes, replaced by a new execution;
    /// read and written under the service's lock only (a work item gets a copy).</summary>
    public List<HistoryEvent> History { get; set; } = [];

    public List<TaskMessage> Pending { get; set; } = [];

    /// <summary>An episode is running (a work item holds the instance): new messages wait for the next one.</summary>
    public bool Locked { get; set; }

    /// <summary>The instance id is already in the ready queue.</summary>
    public bool Queued { get; set; }

    /// <summary>
    /// Set while the session that holds the instance waits for its next message: completed with true when one
    /// arrives, false when the session should end.
    /// </summary>
    public TaskCompletionSource<bool>? SessionWait { get; set; }
}
