using Ingestion.Azure.Configuration;
using Ingestion.Durable;
using Ingestion.Orchestration;
using Ingestion.Storage;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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

    /// <summary>Builds and starts the host (the worker runs until disposed). <paramref name="configureServices"/> may replace services (tests).
    /// <paramref name="prepareFileActivity"/>: the command runs files, so build the file activity in the background from here on (<see cref="PrepareFileActivity"/>).</summary>
    public static async Task<PipelineRuntime> StartAsync(IConfiguration configuration, ILoggerProvider? logs = null, Action<IServiceCollection>? configureServices = null, bool prepareFileActivity = false, CancellationToken cancellationToken = default)
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
            // Durable payloads with build-time JSON metadata (same JSON as the SDK's default converter).
            builder.Services.TryAddSingleton(OrchestrationJson.Converter);
            var durable = configuration.GetSection(DurableHostOptions.SectionName);
            builder.Services.AddDurableTaskFrameworkHost(durable, registry => registry.AddExportOrchestration());
            var host = builder.Build();
            if (prepareFileActivity) PrepareFileActivity(host.Services);
            // Resolve the key first: a bad Deid:Key fails here, before any run (the catalog is opened on first use).
            _ = host.Services.GetRequiredService<RunKeyPin>().Fingerprint;
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            // The options the worker was built with (bound once, by the options system), not a second reflection bind.
            var backend = host.Services.GetRequiredService<IOptions<DurableHostOptions>>().Value.EffectiveBackend;
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
    /// Builds the file activity and what it holds in the background as soon as the host is built: the built-in US Core
    /// rules (the longest part: a thread of their own), the vocabulary and the mapper are most of a small run's
    /// start-up CPU, and the run's first steps (key, worker start, record, kick-off, listing) need none of them, so
    /// the first file finds them ready instead of building them. A failure is left to surface where the activity is
    /// resolved for the first file (and fails that file, then the run, with its reason).
    /// </summary>
    private static void PrepareFileActivity(IServiceProvider services)
    {
        Prepare(services, typeof(Ingestion.Fhir.Validation.IResourceValidator));
        Prepare(services, typeof(Ingestion.Pipeline.Activities.IFileActivity));
    }

    // A thread of its own (LongRunning): seconds of CPU on pool threads would leave the host's and Durable's first
    // work items waiting for the pool to grow (seen: the worker's start 1 s late).
    private static void Prepare(IServiceProvider services, Type service) => _ = Task.Factory.StartNew(() =>
    {
        try
        {
            _ = services.GetService(service);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Resolved again (and thrown from there) by the first file.
        }
    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

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
