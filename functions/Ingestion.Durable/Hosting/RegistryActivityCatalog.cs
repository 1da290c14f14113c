using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Durable.Hosting;

/// <summary>
/// Gives DTFx's dispatcher the registry's <see cref="ITaskActivity"/> classes. Each execution gets its own DI scope,
/// so activities receive scoped dependencies as they would in the Functions host.
/// </summary>
internal sealed class RegistryActivityCatalog(
    IDurableTaskFactory factory, DurableTaskShimFactory shims, IServiceScopeFactory scopes)
    : INameVersionObjectManager<TaskActivity>
{
    public void Add(ObjectCreator<TaskActivity> creator) =>
        throw new NotSupportedException("Register activities through the DurableTaskRegistry of AddDurableTaskFrameworkHost.");

    public TaskActivity? GetObject(string name, string? version)
    {
        var taskName = new TaskName(name);
        var scope = scopes.CreateAsyncScope();
        if (!factory.TryCreateActivity(taskName, scope.ServiceProvider, out var activity))
        {
            scope.Dispose();
            return null; // DTFx reports "TaskActivity … was not found" and retries the message.
        }
        return new ScopedActivity(shims.CreateActivity(taskName, activity), scope);
    }

    /// <summary>Runs one activity execution and then disposes its scope (the dispatcher calls RunAsync once per GetObject).</summary>
    private sealed class ScopedActivity(TaskActivity inner, AsyncServiceScope scope) : TaskActivity
    {
        public override string Run(TaskContext context, string input) =>
            throw new NotSupportedException("Activities run asynchronously (RunAsync).");

        public override async Task<string> RunAsync(TaskContext context, string input)
        {
            await using (scope)
            {
                return await inner.RunAsync(context, input);
            }
        }
    }
}
