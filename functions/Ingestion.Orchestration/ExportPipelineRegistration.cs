using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Validation;
using Ingestion.Omop;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.Hosting;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;
using Ingestion.Privacy;
using Ingestion.Storage;
using Ingestion.Storage.Catalog;
using Ingestion.Storage.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Ingestion.Orchestration;

/// <summary>
/// Registers what the activities need, from configuration: de-identifier (Deid), vocabulary, validator, mapper, the
/// file activity, reducer, publisher, sources (Fhir, Fhir:Smart, Sources), the run catalog and the lakes. Embedded
/// defaults (SQLite catalog, local-folder lakes, events to the log or to the Events:FilePath file) are registered with TryAdd, so a host that
/// registered Cosmos / Blob / Service Bus before calling this keeps them.
/// </summary>
public static class ExportPipelineRegistration
{
    public static IServiceCollection AddExportPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var pipeline = configuration.GetSection(PipelineOptions.SectionName).Get<PipelineOptions>() ?? new PipelineOptions();
        var storage = configuration.GetSection(LocalStorageOptions.SectionName).Get<LocalStorageOptions>() ?? new LocalStorageOptions();
        var vocabulary = configuration.GetSection(VocabularyOptions.SectionName).Get<VocabularyOptions>() ?? new VocabularyOptions();
        var deid = configuration.GetSection(DeidentificationOptions.SectionName).Get<DeidentificationOptions>() ?? new DeidentificationOptions();
        var bulk = configuration.GetSection(BulkExportClientOptions.SectionName).Get<BulkExportClientOptions>() ?? new BulkExportClientOptions();
        var smart = configuration.GetSection(SmartBackendOptions.SectionName).Get<SmartBackendOptions>();
        var landed = configuration.GetSection(LandedContainerOptions.SectionName).Get<LandedContainerOptions>() ?? new LandedContainerOptions();
        var sources = new SourcesOptions();
        foreach (var child in configuration.GetSection(SourcesOptions.SectionName).GetChildren())
        {
            var source = child.Get<SourceDefinition>() ?? new SourceDefinition();
            source.Id = child.Key;
            sources.Sources[child.Key] = source;
        }
        var validationMode = string.Equals(configuration["Validation:Mode"], "Strict", StringComparison.OrdinalIgnoreCase) || pipeline.StrictValidation ? ValidationMode.Strict : ValidationMode.Report;
        var cdmHolder = pipeline.CdmHolder;

        services.AddSingleton(pipeline);
        services.AddSingleton(storage);
        services.AddSingleton(sources);
        services.AddSingleton(landed);
        services.TryAddSingleton(TimeProvider.System);
        // Fails at first use, before any run starts, when Deid:Key is missing outside the demo.
        services.TryAddSingleton(_ => new KeyedDeidentifier(deid));
        services.TryAddSingleton<IDeidentifier>(sp => sp.GetRequiredService<KeyedDeidentifier>());
        services.TryAddSingleton<IVocabulary>(_ => vocabulary.Path is { } path ? VocabularyFile.Open(path) : StarterVocabulary.Create());
        services.TryAddSingleton<IResourceValidator>(_ => UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { Mode = validationMode }));
        services.TryAddSingleton(sp => new OmopMapper(sp.GetRequiredService<IVocabulary>(), sp.GetRequiredService<IDeidentifier>()));
        services.TryAddSingleton<IStateStore>(_ => new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = storage.ResolvedStatePath }));
        services.TryAddSingleton(sp => new PipelineTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.TryAddSingleton<IRunCatalog>(sp => new StateStoreRunCatalog(sp.GetRequiredService<IStateStore>()));
        services.TryAddSingleton(_ => new PipelineLakes(
            new FileSystemLake(new FileSystemLakeOptions { RootPath = storage.LakePath }),
            new FileSystemLake(new FileSystemLakeOptions { RootPath = storage.ResolvedQuarantinePath })));
        var eventFile = configuration.GetSection(FileRunEventPublisherOptions.SectionName).Get<FileRunEventPublisherOptions>();
        if (!string.IsNullOrWhiteSpace(eventFile?.FilePath))
            services.TryAddSingleton<IRunEventPublisher>(sp => new FileRunEventPublisher(eventFile, sp.GetRequiredService<ILogger<FileRunEventPublisher>>()));
        else
            services.TryAddSingleton<IRunEventPublisher>(sp => new LoggingRunEventPublisher(sp.GetRequiredService<ILogger<LoggingRunEventPublisher>>()));
        services.TryAddSingleton<IFileActivity>(sp =>
        {
            var lakes = sp.GetRequiredService<PipelineLakes>();
            CrosswalkOutput? crosswalk = null;
            if (!string.IsNullOrWhiteSpace(deid.CrosswalkLocation))
            {
                var vocab = sp.GetRequiredService<IVocabulary>();
                crosswalk = new CrosswalkOutput(new FileSystemLake(new FileSystemLakeOptions { RootPath = deid.CrosswalkLocation }),
                    sp.GetRequiredService<IDeidentifier>(), recorder => new OmopMapper(vocab, recorder));
            }
            return new OmopFileActivity(lakes.Lake, lakes.Quarantine, sp.GetRequiredService<OmopMapper>(), sp.GetRequiredService<IResourceValidator>(), pipeline, crosswalk);
        });
        services.TryAddSingleton<IRunReducer>(sp =>
        {
            var vocab = sp.GetRequiredService<IVocabulary>();
            return new OmopRunReducer(sp.GetRequiredService<PipelineLakes>().Lake, sp.GetRequiredService<IDeidentifier>(), run => CdmSource(run, cdmHolder, vocab.Version), pipeline, vocab);
        });
        services.TryAddSingleton<IRunPublisher>(sp =>
        {
            var key = sp.GetRequiredService<KeyedDeidentifier>();
            return new LakeRunPublisher(sp.GetRequiredService<PipelineLakes>().Lake,
                new RunProvenance("5.4", sp.GetRequiredService<IVocabulary>().Version, key.KeyFingerprint, key.IsKeyEphemeral),
                pipeline, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<IExportSourceFactory>(sp => new ExportSources(bulk, smart?.ClientId is null ? null : smart, pipeline, landed));
        services.TryAddSingleton<RunKeyPin>();
        services.TryAddSingleton<RunLookup>();
        services.TryAddSingleton<FileActivitySlots>();
        services.TryAddSingleton<ExportManifestCache>();
        services.TryAddSingleton<CompletedFilesHandOff>();
        services.TryAddSingleton<ExportRunStarter>();
        return services;
    }

    private static CdmSourceFacts CdmSource(RunState run, string holder, string vocabularyVersion) => new()
    {
        SourceName = run.Input.SourceId,
        SourceAbbreviation = run.Input.Kind == SourceKind.Folder ? "landed" : "fhir",
        Holder = holder,
        SourceReleaseDate = DateOnly.FromDateTime((run.TransactionTime ?? run.CreatedTime).UtcDateTime),
        CdmReleaseDate = DateOnly.FromDateTime(run.CreatedTime.UtcDateTime),
        VocabularyVersion = vocabularyVersion,
        SourceDescription = "FHIR R4 Bulk Data export mapped to OMOP CDM 5.4 and de-identified",
        EtlReference = "docs/orchestration.md",
    };
}
