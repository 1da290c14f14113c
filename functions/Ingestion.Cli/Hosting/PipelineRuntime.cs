using Ingestion.Azure.Configuration;
using Ingestion.Durable;
using Ingestion.Orchestration;
using Ingestion.Storage;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingestion.Cli.Hosting;

/// <summary>
/// The standalone host of the CLI run commands and `serve`: the run's orchestrators and activities on the Durable
/// Task Framework (Azure Storage backend when <c>Durable:StorageConnection</c> is set, otherwise in memory, which is
/// not crash-durable), with the pipeline's services from configuration. <c>Host:Mode=Azure</c> puts the catalog in
/// Cosmos DB, the lakes in Blob Storage and the events on Service Bus.
/// </summary>
public sealed class PipelineRuntime : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly AzureAdapters? _azure;

    private PipelineRuntime(IHost host, AzureAdapters? azure, DurableBackend backend)
    {
        _host = host;
        _azure = azure;
        Backend = backend;
    }

    public DurableBackend Backend { get; }
    public bool IsCrashDurable => Backend != DurableBackend.InMemory;
    public IServiceProvider Services => _host.Services;
    public DurableTaskClient Client => Services.GetRequiredService<DurableTaskClient>();
    public ExportRunStarter Starter => Services.GetRequiredService<ExportRunStarter>();
    public IRunCatalog Catalog => Services.GetRequiredService<IRunCatalog>();
    public PipelineLakes Lakes => Services.GetRequiredService<PipelineLakes>();

    /// <summary>Builds and starts the host (the worker runs until disposed). <paramref name="configureServices"/> may replace services (tests).</summary>
    public static async Task<PipelineRuntime> StartAsync(IConfiguration configuration, ILoggerProvider? logs = null, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var azure = await AzureAdaptersOfAsync(configuration, cancellationToken).ConfigureAwait(false);
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = new ConfigurationManager() });
            builder.Configuration.AddConfiguration(configuration);
            builder.Logging.ClearProviders();
            if (logs is not null) builder.Logging.AddProvider(logs);
            if (azure is not null) AddAzureAdapters(builder.Services, azure);
            configureServices?.Invoke(builder.Services);
            builder.Services.AddExportPipeline(configuration);
            var durable = configuration.GetSection(DurableHostOptions.SectionName);
            builder.Services.AddDurableTaskFrameworkHost(durable, registry => registry.AddExportOrchestration());
            var host = builder.Build();
            // Resolve the catalog and the key first: a bad Deid:Key or an unusable catalog fails here, before any run.
            _ = host.Services.GetRequiredService<RunKeyPin>().Fingerprint;
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            var backend = (durable.Get<DurableHostOptions>() ?? new DurableHostOptions()).EffectiveBackend;
            return new PipelineRuntime(host, azure, backend);
        }
        catch
        {
            if (azure is not null) await azure.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>With Host:Mode=Azure, the Azure adapters bound from the configuration root (Lake, Quarantine, Cosmos, ServiceBus); otherwise null.</summary>
    internal static async Task<AzureAdapters?> AzureAdaptersOfAsync(IConfiguration configuration, CancellationToken cancellationToken) =>
        string.Equals(configuration["Host:Mode"], "Azure", StringComparison.OrdinalIgnoreCase)
            ? await AzureAdapters.CreateAsync(configuration.Get<AzureSettings>() ?? new AzureSettings(), cancellationToken: cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>Host:Mode=Azure: the Cosmos catalog, Blob lakes and Service Bus events, registered before AddExportPipeline's embedded defaults.</summary>
    internal static void AddAzureAdapters(IServiceCollection services, AzureAdapters azure)
    {
        services.AddSingleton<IStateStore>(azure.StateStore);
        services.AddSingleton(new PipelineLakes(azure.Lake, azure.Quarantine));
        if (azure.RunEvents is not null) services.AddSingleton<IRunEventPublisher>(azure.RunEvents);
    }

    /// <summary>
    /// Builds the file activity and what it holds (built-in rules, vocabulary, mapper: most of a small run's start-up
    /// CPU) on a pool thread now, while the run's first steps (record, kick-off, listing) use one core, instead of when
    /// its first file starts. A failure is left to surface where the activity is resolved for the file.
    /// </summary>
    public void PrepareFileActivity() => _ = Task.Run(() =>
    {
        try
        {
            _ = Services.GetService<Ingestion.Pipeline.Activities.IFileActivity>();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Resolved again (and thrown from there) by the first file.
        }
    });

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
            if (_azure is not null) await _azure.DisposeAsync().ConfigureAwait(false);
        }
    }
}
