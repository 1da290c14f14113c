using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;

namespace Ingestion.Durable.Hosting;

/// <summary>
/// Gives DTFx's dispatcher the registry's <see cref="ITaskOrchestrator"/> classes, wrapped by the Durable Task SDK's
/// shim so timers, sub-orchestrations, events, custom status and retry policies behave as in Durable Functions.
/// Orchestrators are created per episode (the registry's factory), so they hold no state between replays.
/// </summary>
internal sealed class RegistryOrchestrationCatalog(
    IDurableTaskFactory factory, DurableTaskShimFactory shims, IServiceProvider services)
    : INameVersionObjectManager<TaskOrchestration>
{
    // The registry is the one place tasks are named; DTFx-style registration would be a second one.
    public void Add(ObjectCreator<TaskOrchestration> creator) =>
        throw new NotSupportedException("Register orchestrators through the DurableTaskRegistry of AddDurableTaskFrameworkHost.");

    public TaskOrchestration? GetObject(string name, string? version)
    {
        var taskName = new TaskName(name);
        return factory.TryCreateOrchestrator(taskName, services, out var orchestrator)
            ? shims.CreateOrchestration(taskName, orchestrator)
            : null; // DTFx then fails the work item with "Orchestration not found".
    }
}
