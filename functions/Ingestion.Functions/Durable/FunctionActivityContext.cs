using Microsoft.DurableTask;

namespace Ingestion.Functions.Durable;

/// <summary>The activity context a class-based activity sees under Functions (what the Durable source generator would emit).</summary>
internal sealed class FunctionActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;
}
