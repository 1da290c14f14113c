using System.Collections.Concurrent;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Validation;
using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.Sources;
using Ingestion.Pipeline.State;
using Ingestion.Privacy;
using Ingestion.Storage;
using Ingestion.Storage.Embedded;
using Microsoft.Extensions.Logging;

namespace Ingestion.Pipeline.Hosting;

/// <summary>
/// The pipeline on embedded storage (SQLite state and durable queue, local-folder lake and quarantine): what the
/// CLI commands, the benchmark and the end-to-end tests run. A new instance on the same folders continues
/// every unfinished run.
/// </summary>
public sealed class EmbeddedPipeline : IAsyncDisposable
{
    private readonly IStateStore _store;
    private readonly IVocabulary _vocabulary;
    private readonly List<IDisposable> _owned = [];

    private EmbeddedPipeline(EmbeddedPipelineSettings settings, IResourceValidator? validator, ILoggerFactory loggerFactory, IPipelineFaults? faults, PipelineStorage? storage)
    {
        Settings = settings;
        // Fails here, before any run starts, when Deid:Key is missing outside the demo.
        Deidentifier = new KeyedDeidentifier(settings.Deidentification);
        _vocabulary = settings.Vocabulary.Path is { } path ? VocabularyFile.Open(path) : StarterVocabulary.Create();
        if (_vocabulary is IDisposable disposable) _owned.Add(disposable);
        // Embedded storage unless the host supplies another (the Azure adapters).
        _store = storage?.StateStore ?? new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = settings.Storage.ResolvedStatePath });
        if (storage is null && _store is IDisposable ownedStore) _owned.Add(ownedStore);
        Lake = storage?.Lake ?? new FileSystemLake(new FileSystemLakeOptions { RootPath = settings.Storage.LakePath });
        Quarantine = storage?.Quarantine ?? new FileSystemLake(new FileSystemLakeOptions { RootPath = settings.Storage.ResolvedQuarantinePath });
        var mapper = new OmopMapper(_vocabulary, Deidentifier);
        var options = settings.Pipeline;
        Services = new OrchestrationServices
        {
            StateStore = _store,
            WorkQueue = storage?.WorkQueue ?? new SqliteWorkQueue(settings.Storage.ResolvedStatePath, settings.Storage.QueueName),
            Events = storage?.Events ?? new LoggingRunEventPublisher(loggerFactory.CreateLogger<LoggingRunEventPublisher>()),
            Lake = Lake,
            QuarantineLake = Quarantine,
            Sources = new SourceFactory(this),
            FileActivity = new OmopFileActivity(Lake, Quarantine, mapper, validator, options, Crosswalk(settings)),
            Publisher = new LakeRunPublisher(Lake,
                new OmopRunReducer(Lake, Deidentifier, CdmSourceFacts, options),
                new RunProvenance("5.4", _vocabulary.Version, Deidentifier.KeyFingerprint, Deidentifier.IsKeyEphemeral),
                options, TimeProvider.System),
            Options = options,
            Faults = faults ?? IPipelineFaults.None,
            LoggerFactory = loggerFactory,
        };
        Client = new OrchestrationClient(Services);
        Host = new OrchestrationHost(Services);
    }

    /// <summary>The optional re-identification crosswalk: a local folder apart from the lake and the quarantine.</summary>
    private CrosswalkOutput? Crosswalk(EmbeddedPipelineSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.Deidentification.CrosswalkLocation)) return null;
        var store = new FileSystemLake(new FileSystemLakeOptions { RootPath = settings.Deidentification.CrosswalkLocation });
        return new CrosswalkOutput(store, Deidentifier, recorder => new OmopMapper(_vocabulary, recorder));
    }

    public static EmbeddedPipeline Create(EmbeddedPipelineSettings settings, IResourceValidator? validator, ILoggerFactory loggerFactory, IPipelineFaults? faults = null, PipelineStorage? storage = null) =>
        new(settings, validator, loggerFactory, faults, storage);

    public EmbeddedPipelineSettings Settings { get; }
    public KeyedDeidentifier Deidentifier { get; }
    public ILake Lake { get; }
    public ILake Quarantine { get; }
    public OrchestrationServices Services { get; }
    public OrchestrationClient Client { get; }
    public OrchestrationHost Host { get; }
    public string VocabularyVersion => _vocabulary.Version;

    private CdmSourceFacts CdmSourceFacts(RunState run) => new()
    {
        SourceName = run.Input.SourceId,
        SourceAbbreviation = run.Input.Kind == SourceKind.Folder ? "landed" : "fhir",
        Holder = Settings.CdmHolder,
        SourceReleaseDate = DateOnly.FromDateTime((run.TransactionTime ?? run.CreatedTime).UtcDateTime),
        CdmReleaseDate = DateOnly.FromDateTime(run.CreatedTime.UtcDateTime),
        VocabularyVersion = _vocabulary.Version,
        SourceDescription = "FHIR R4 Bulk Data export mapped to OMOP CDM 5.4 and de-identified",
        EtlReference = "docs/orchestration.md",
    };

    public ValueTask DisposeAsync()
    {
        foreach (var d in _owned) d.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>One BulkExportClient (which owns its HTTP stack) per FHIR base URL, sharing the SMART token provider.</summary>
    private sealed class SourceFactory(EmbeddedPipeline owner) : IExportSourceFactory
    {
        private readonly ConcurrentDictionary<string, IExportSource> _servers = new(StringComparer.Ordinal);

        public IExportSource Create(RunInput input) => input.Kind switch
        {
            SourceKind.Folder => new LandedFolderSource(input.FolderPath ?? throw new InvalidOperationException("A folder run has no folder path."), owner.Settings.Pipeline.LandedFileChunkBytes),
            _ => _servers.GetOrAdd(input.FhirBaseUrl ?? throw new InvalidOperationException("A FHIR server run has no base URL."), CreateServer),
        };

        private IExportSource CreateServer(string baseUrl)
        {
            var template = owner.Settings.BulkExport;
            var options = new BulkExportClientOptions
            {
                BaseUrl = new Uri(baseUrl),
                AllowInsecureHttp = template.AllowInsecureHttp,
                AllowPrivateNetwork = template.AllowPrivateNetwork,
                AllowedFileHosts = template.AllowedFileHosts,
                RetryAfterFloor = template.RetryAfterFloor,
                RetryAfterCeiling = template.RetryAfterCeiling,
                BackoffBase = template.BackoffBase,
                BackoffCeiling = template.BackoffCeiling,
                OverallTimeout = template.OverallTimeout,
                RequestTimeout = template.RequestTimeout,
                ConnectTimeout = template.ConnectTimeout,
                MaxStatusRequestsPerMinute = template.MaxStatusRequestsPerMinute,
                MaxBytesPerResource = template.MaxBytesPerResource,
                MaxFileBytes = template.MaxFileBytes,
                MaxManifestBytes = template.MaxManifestBytes,
                MaxManifestFiles = template.MaxManifestFiles,
                DownloadIdleTimeout = template.DownloadIdleTimeout,
                MaxKickOffRetries = template.MaxKickOffRetries,
                MaxConsecutivePollFailures = template.MaxConsecutivePollFailures,
                MaxDownloadAttempts = template.MaxDownloadAttempts,
                ExpiredFileRetries = template.ExpiredFileRetries,
                MaxConcurrentDownloads = template.MaxConcurrentDownloads,
                MaxLineBytes = template.MaxLineBytes,
                MaxRedirects = template.MaxRedirects,
            };
            IAccessTokenProvider? tokens = null;
            if (owner.Settings.Smart is { ClientId: not null } smart)
            {
                var provider = new SmartBackendTokenProvider(smart);
                lock (owner._owned) owner._owned.Add(provider);
                tokens = provider;
            }
            var client = new BulkExportClient(options, tokens);
            lock (owner._owned) owner._owned.Add(client);
            return new FhirServerSource(client);
        }
    }
}
