using System.Runtime.ExceptionServices;
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
        ITaskActivity? activity;
        try
        {
            if (!factory.TryCreateActivity(taskName, scope.ServiceProvider, out activity))
            {
                scope.Dispose();
                return null; // DTFx reports "TaskActivity … was not found" and retries the message.
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A dependency that cannot be built (e.g. rules or a vocabulary that fail to load) fails this execution with
            // its reason, under the caller's retry policy; thrown from here, DTFx would re-deliver the message forever.
            scope.Dispose();
            return new FailedActivity(ExceptionDispatchInfo.Capture(e));
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

    /// <summary>An execution whose activity could not be created: it fails with the creation's exception.</summary>
    private sealed class FailedActivity(ExceptionDispatchInfo failure) : TaskActivity
    {
        public override string Run(TaskContext context, string input) =>
            throw new NotSupportedException("Activities run asynchronously (RunAsync).");

        public override Task<string> RunAsync(TaskContext context, string input)
        {
            failure.Throw();
            return Task.FromResult(""); // not reached
        }
    }
}
