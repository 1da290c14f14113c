using Ingestion.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Ingestion.Functions.Durable;

/// <summary>
/// Orchestration triggers for the run's class-based orchestrators, written by hand because the Durable source generator
/// is not available here. Function names are the class names, which is how the orchestrator schedules them.
/// </summary>
public static class OrchestratorFunctions
{
    [Function(nameof(ExportOrchestrator))]
    public static Task<ExportRunOutput> ExportOrchestratorAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ExportOrchestrator().RunAsync(context, context.GetInput<ExportRunInput>()!);

    [Function(nameof(FileBatchOrchestrator))]
    public static Task<FileBatchOutput> FileBatchOrchestratorAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new FileBatchOrchestrator().RunAsync(context, context.GetInput<FileBatchInput>()!);
}
