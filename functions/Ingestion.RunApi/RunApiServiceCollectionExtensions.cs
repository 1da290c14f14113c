using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ingestion.RunApi;

public static class RunApiServiceCollectionExtensions
{
    /// <summary>
    /// The run API's services, settings from the <c>RunApi</c> section. The host adds the
    /// <see cref="IExportRunLauncher"/> (the orchestration layer's) and the Durable client.
    /// </summary>
    public static IServiceCollection AddRunApi(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RunApiOptions.SectionName).Get<RunApiOptions>() ?? new RunApiOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<StartExportRequestReader>();
        services.AddSingleton<ManagementUrlBuilder>();
        services.AddSingleton<ExportRunApi>();
        return services;
    }
}
