using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Core = DurableTask.Core;

// Canceled and ContinuedAsNew are obsolete in the SDK but DTFx still reports them.
#pragma warning disable CS0618

namespace Ingestion.Durable.Client;

/// <summary>Maps DTFx status and failure types to the Durable Task SDK's client types.</summary>
internal static class CoreConversions
{
    public static OrchestrationRuntimeStatus ToRuntimeStatus(this Core.OrchestrationStatus status) => status switch
    {
        Core.OrchestrationStatus.Running => OrchestrationRuntimeStatus.Running,
        Core.OrchestrationStatus.Completed => OrchestrationRuntimeStatus.Completed,
        Core.OrchestrationStatus.ContinuedAsNew => OrchestrationRuntimeStatus.ContinuedAsNew,
        Core.OrchestrationStatus.Failed => OrchestrationRuntimeStatus.Failed,
        Core.OrchestrationStatus.Terminated => OrchestrationRuntimeStatus.Terminated,
        Core.OrchestrationStatus.Pending => OrchestrationRuntimeStatus.Pending,
        Core.OrchestrationStatus.Suspended => OrchestrationRuntimeStatus.Suspended,
        Core.OrchestrationStatus.Canceled => OrchestrationRuntimeStatus.Canceled,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown DTFx orchestration status."),
    };

    public static Core.OrchestrationStatus ToCoreStatus(this OrchestrationRuntimeStatus status) => status switch
    {
        OrchestrationRuntimeStatus.Running => Core.OrchestrationStatus.Running,
        OrchestrationRuntimeStatus.Completed => Core.OrchestrationStatus.Completed,
        OrchestrationRuntimeStatus.ContinuedAsNew => Core.OrchestrationStatus.ContinuedAsNew,
        OrchestrationRuntimeStatus.Failed => Core.OrchestrationStatus.Failed,
        OrchestrationRuntimeStatus.Terminated => Core.OrchestrationStatus.Terminated,
        OrchestrationRuntimeStatus.Pending => Core.OrchestrationStatus.Pending,
        OrchestrationRuntimeStatus.Suspended => Core.OrchestrationStatus.Suspended,
        OrchestrationRuntimeStatus.Canceled => Core.OrchestrationStatus.Canceled,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown orchestration runtime status."),
    };

    public static TaskFailureDetails? ToTaskFailureDetails(this Core.FailureDetails? details) =>
        details is null
            ? null
            : new TaskFailureDetails(details.ErrorType, details.ErrorMessage, details.StackTrace,
                details.InnerFailure.ToTaskFailureDetails(), null);

    public static bool IsTerminal(this Core.OrchestrationStatus status) =>
        status is Core.OrchestrationStatus.Completed or Core.OrchestrationStatus.Failed
            or Core.OrchestrationStatus.Terminated or Core.OrchestrationStatus.Canceled;
}
