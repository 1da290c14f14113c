using Azure.Core;
using DurableTask.Core;
using Ingestion.Durable.Client;
using Ingestion.Durable.Hosting;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ingestion.Durable;

public static class DurableHostServiceCollectionExtensions
{
    /// <summary>
    /// Hosts the registry's <c>TaskOrchestrator</c>/<c>TaskActivity</c> classes on the Durable Task Framework
    /// (Azure Storage or in-memory backend, per <paramref name="durableSection"/>), and registers the
    /// <see cref="DurableTaskClient"/> for the same task hub.
    /// </summary>
    public static IServiceCollection AddDurableTaskFrameworkHost(
        this IServiceCollection services, IConfiguration durableSection, Action<DurableTaskRegistry> register)
    {
        ArgumentNullException.ThrowIfNull(durableSection);
        services.AddOptions<DurableHostOptions>().Bind(durableSection);
        return services.AddDurableTaskFrameworkHostCore(register);
    }

    /// <inheritdoc cref="AddDurableTaskFrameworkHost(IServiceCollection, IConfiguration, Action{DurableTaskRegistry})"/>
    public static IServiceCollection AddDurableTaskFrameworkHost(
        this IServiceCollection services, Action<DurableHostOptions> configure, Action<DurableTaskRegistry> register)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<DurableHostOptions>().Configure(configure);
        return services.AddDurableTaskFrameworkHostCore(register);
    }

    /// <summary>
    /// Registers only the <see cref="DurableTaskClient"/> for the configured task hub, without a worker: for commands
    /// that read or steer runs (status, cancel, terminate, purge) while other processes do the work.
    /// </summary>
    public static IServiceCollection AddDurableTaskFrameworkClient(this IServiceCollection services, IConfiguration durableSection)
    {
        ArgumentNullException.ThrowIfNull(durableSection);
        services.AddOptions<DurableHostOptions>().Bind(durableSection);
        return services.AddDurableTaskFrameworkClientCore();
    }

    private static IServiceCollection AddDurableTaskFrameworkHostCore(
        this IServiceCollection services, Action<DurableTaskRegistry> register)
    {
        ArgumentNullException.ThrowIfNull(register);
        services.AddDurableTaskFrameworkClientCore();
        services.AddDurableTaskWorker(builder =>
        {
            builder.AddTasks(register);
            builder.UseBuildTarget<TaskHubWorkerService>();
        });
        // A DataConverter the app registers (the CLI's has build-time JSON metadata) serializes the worker's payloads
        // too, as it does the client's: both sides of a payload use the same converter.
        services.AddSingleton<IPostConfigureOptions<DurableTaskWorkerOptions>, RegisteredDataConverter>();
        return services;
    }

    private static IServiceCollection AddDurableTaskFrameworkClientCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DurableHostOptions>().Validate(o => o.MaxConcurrentActivities > 0 && o.MaxConcurrentOrchestrations > 0,
            "Durable:MaxConcurrentActivities and Durable:MaxConcurrentOrchestrations must be positive.")
            .Validate(o => o.LeaseInterval >= TimeSpan.FromSeconds(3) && o.MessageVisibilityTimeout >= TimeSpan.FromSeconds(5),
                "Durable:LeaseInterval must be at least 3 seconds and Durable:MessageVisibilityTimeout at least 5 seconds.");
        services.TryAddSingleton(TimeProvider.System);

        // One backend object is both the worker's IOrchestrationService and the client's IOrchestrationServiceClient
        // (for the in-memory backend they must be the same instance; for Azure Storage it saves a second set of clients).
        services.TryAddSingleton<IOrchestrationService>(sp => OrchestrationServiceFactory.Create(
            sp.GetRequiredService<IOptions<DurableHostOptions>>().Value,
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<TokenCredential>()));
        services.TryAddSingleton(sp => (IOrchestrationServiceClient)sp.GetRequiredService<IOrchestrationService>());
        services.TryAddSingleton<DurableTaskClient>(sp => new TaskHubDurableTaskClient(
            Microsoft.Extensions.Options.Options.DefaultName,
            sp.GetRequiredService<IOrchestrationServiceClient>(),
            sp.GetService<DataConverter>() ?? JsonDataConverter.Default,
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
