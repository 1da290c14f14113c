using DurableTask.Core;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Hosting;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion.Durable.Hosting;

/// <summary>
/// The hosted service that runs a DTFx <see cref="TaskHubWorker"/> over the configured backend with the registry's
/// orchestrators and activities. It is the Durable Task SDK's worker build target, so <c>AddTasks</c> registrations
/// and <see cref="DurableTaskWorkerOptions"/> (data converter) apply unchanged.
/// </summary>
internal sealed class TaskHubWorkerService(
    string name,
    IDurableTaskFactory factory,
    IOrchestrationService orchestrationService,
    IServiceProvider services,
    IOptionsMonitor<DurableTaskWorkerOptions> workerOptions,
    ILoggerFactory loggerFactory)
    : DurableTaskWorker(name, factory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<TaskHubWorkerService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var shims = new DurableTaskShimFactory(workerOptions.Get(Name), loggerFactory);
        await orchestrationService.CreateIfNotExistsAsync().WaitAsync(stoppingToken);
        using var worker = new TaskHubWorker(
            orchestrationService,
            new RegistryOrchestrationCatalog(Factory, shims, services),
            new RegistryActivityCatalog(Factory, shims, services.GetRequiredService<IServiceScopeFactory>()),
            loggerFactory)
        {
            // The SDK's shims turn failures into TaskFailedException with FailureDetails only in this mode.
            ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
        };
        await worker.StartAsync();
        _logger.LogInformation("Durable worker started on {Backend}.", orchestrationService.GetType().Name);
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Host shutdown.
        }
        // Graceful: running activities finish and their results are saved; anything cut short runs again elsewhere.
        await worker.StopAsync(isForced: false);
        _logger.LogInformation("Durable worker stopped.");
    }
}
