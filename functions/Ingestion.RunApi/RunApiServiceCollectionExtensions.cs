using Ingestion.Orchestration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ingestion.RunApi;

public static class RunApiServiceCollectionExtensions
{
    /// <summary>
    /// The run API's services, settings from the <c>RunApi</c> section. Needs the orchestration layer's services
    /// (<c>AddExportPipeline</c>: sources, run catalog, key pin); the host supplies the Durable client.
    /// </summary>
    public static IServiceCollection AddRunApi(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RunApiOptions.SectionName).Get<RunApiOptions>() ?? new RunApiOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<StartExportRequestReader>();
        services.AddSingleton<ManagementUrlBuilder>();
        services.AddSingleton<RunListQueryReader>();
        services.AddSingleton<ExportRunStarterFactory>();
        services.TryAddSingleton<IExportRunLauncher, SourceRunLauncher>();
        services.AddSingleton<ExportRunApi>();
        services.TryAddSingleton<SourceSchedule>();
        services.AddSingleton<RunReadApi>();
        services.AddSingleton<RunAlertEvaluator>();
        services.AddSingleton<RunAlertMonitor>();
        services.AddSingleton(configuration.GetSection(RunAlertOptions.SectionName).Get<RunAlertOptions>() ?? new RunAlertOptions());
        return services;
    }
}
