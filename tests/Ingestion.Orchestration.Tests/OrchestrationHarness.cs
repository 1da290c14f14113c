using Ingestion.Orchestration.Tests.Fakes;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.Publishing;
using Ingestion.Privacy;
using Ingestion.Storage;
using Ingestion.Storage.Catalog;
using Ingestion.Storage.Embedded;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Ingestion.Durable;
using Ingestion.Testing.StandIns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ingestion.Orchestration.Tests;

/// <summary>
/// The real orchestrators and activities on the Durable Task SDK's in-process host, with a real run catalog
/// (SQLite in a temp folder) and fakes for the EHR, the file body and the lake publishing.
/// </summary>
internal sealed class OrchestrationHarness : IAsyncDisposable
{
    private readonly SqliteStateStore _store;
    private DurableTaskTestHost? _host;
    private IHost? _frameworkHost;

    public OrchestrationHarness()
    {
        // In memory: the catalog logic is the same, and 2,500-file runs do not wait on fsync.
        _store = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = SqliteStateStoreOptions.InMemory });
        Catalog = new StateStoreRunCatalog(_store);
        Key = new RunKeyPin(new KeyedDeidentifier(new DeidentificationOptions { UseEphemeralKey = true }));
    }

    public FakeExportSource Server { get; } = new();
    public FakeFileActivity Files { get; } = new();
    public FileActivitySlots Slots { get; } = new();
    public RecordingPublishing Publishing { get; } = new();
    public IRunCatalog Catalog { get; }
    public RunKeyPin Key { get; }
    public SourcesOptions Sources { get; } = new();

    /// <summary>Fast settings for tests (real durable timers run in wall-clock time here).</summary>
    public RunSettings Settings { get; set; } = new()
    {
        MaxParallelFiles = 4,
        QueuedFiles = 1, // as PipelineOptions' default
        FilesPerBatch = 100,
        MaxFileAttempts = 3,
        MaxStepAttempts = 3,
        FirstRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        MinPollDelay = TimeSpan.FromMilliseconds(100),
        MaxPollDelay = TimeSpan.FromSeconds(2),
        MaxExportWait = TimeSpan.FromMinutes(1),
    };

    public DurableTaskClient Client => _host?.Client ?? _frameworkHost?.Services.GetRequiredService<DurableTaskClient>()
        ?? throw new InvalidOperationException("Start the host first.");

    public async Task<OrchestrationHarness> StartAsync()
    {
        // The test host's own default is an unchecked random port in 30000-40000, which overlaps Linux's ephemeral range:
        // on a busy CI machine another test's outgoing socket held it. Ask the kernel for a free port, and try again
        // when the port is taken between that and the bind.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _host = await DurableTaskTestHost.StartAsync(registry => registry.AddExportOrchestration(), new DurableTaskTestHostOptions
                {
                    ConfigureServices = AddServices,
                    Port = StandInProcess.FreePort(),
                });
                return this;
            }
            catch (IOException e) when (attempt < 5 && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
            }
        }
    }

    /// <summary>The same classes and services on the standalone host's Durable Task Framework worker (the CLI's and `serve`'s).</summary>
    public async Task<OrchestrationHarness> StartOnDurableTaskFrameworkAsync(Action<DurableHostOptions> backend)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        AddServices(builder.Services);
        builder.Services.AddSingleton(OrchestrationJson.Converter); // as the CLI's runtime registers it
        builder.Services.AddDurableTaskFrameworkHost(backend, registry => registry.AddExportOrchestration());
        _frameworkHost = builder.Build();
        await _frameworkHost.StartAsync();
        return this;
    }

    private void AddServices(IServiceCollection services)
    {
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Catalog);
        services.AddSingleton(Key);
        services.AddSingleton<RunLookup>();
        services.AddSingleton(Slots);
        services.AddSingleton<ExportManifestCache>();
        services.AddSingleton<CompletedFilesHandOff>();
        services.AddSingleton<PipelineTelemetry>();
        services.AddSingleton<IExportSourceFactory>(Server);
        services.AddSingleton<IFileActivity>(Files);
        services.AddSingleton<IRunReducer>(Publishing);
        services.AddSingleton<IRunPublisher>(Publishing);
        services.AddSingleton<IRunEventPublisher>(Publishing);
    }

    public ExportRunInput Input(string sourceId = "ehr") => new()
    {
        SourceId = sourceId,
        SourceKind = ExportSourceKind.FhirServer,
        FhirBaseUrl = "https://ehr.test/fhir/",
        KeyFingerprint = Key.Fingerprint,
        Trigger = new RunTrigger(RunTriggerKind.Cli, "test"),
        Settings = Settings,
    };

    public ExportRunStarter Starter(PipelineOptions? options = null) =>
        new(Client, Catalog, Key, options ?? new PipelineOptions(), Sources, TimeProvider.System);

    public async Task<(OrchestrationMetadata Instance, ExportRunOutput Output)> RunAsync(ExportRunInput input, string runId, TimeSpan? timeout = null)
    {
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(ExportOrchestrator), input, new Microsoft.DurableTask.StartOrchestrationOptions { InstanceId = runId });
        return await WaitAsync(runId, timeout);
    }

    public async Task<(OrchestrationMetadata Instance, ExportRunOutput Output)> WaitAsync(string runId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        var instance = await Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cts.Token);
        instance.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Completed, instance.FailureDetails?.ToString());
        return (instance, instance.ReadOutputAs<ExportRunOutput>()!);
    }

    public async Task<List<RunFileRecord>> FilesOfAsync(string runId)
    {
        var files = new List<RunFileRecord>();
        await foreach (var f in Catalog.ListFilesAsync(runId, CancellationToken.None)) files.Add(f);
        return files;
    }

    public IReadOnlyList<Storage.RunEvent> Events() => Publishing.Events.ToList();

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        if (_frameworkHost is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _frameworkHost.StopAsync(stop.Token);
            _frameworkHost.Dispose();
        }
        _store.Dispose();
    }
}
