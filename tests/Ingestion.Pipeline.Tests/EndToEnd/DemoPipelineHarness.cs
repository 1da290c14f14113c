using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Validation;
using Ingestion.Omop;
using Ingestion.Pipeline.Hosting;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;
using Ingestion.Privacy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// The embedded demo FHIR server plus the embedded pipeline in a temp folder. <see cref="OpenPipeline"/> can be
/// called again after a crash: a new pipeline (new process, as far as state goes) on the same folders.
/// </summary>
internal sealed class DemoPipelineHarness : IAsyncDisposable
{
    private readonly List<EmbeddedPipeline> _pipelines = [];

    private DemoPipelineHarness(DemoFhirServer server, string root, string key)
    {
        Server = server;
        Root = root;
        Key = key;
    }

    /// <summary>The built-in US Core validator, compiled once for all tests.</summary>
    public static UsCoreValidator Validator { get; } = UsCoreValidator.CreateBuiltIn();

    public DemoFhirServer Server { get; }
    public string Root { get; }
    public string Key { get; }

    public static async Task<DemoPipelineHarness> StartAsync(DemoServerOptions options)
    {
        var root = Directory.CreateTempSubdirectory("pipeline-e2e-").FullName;
        var server = await DemoFhirServer.StartAsync(options with { SpoolDirectory = Path.Combine(root, "spool") });
        // A fixed key per harness, so a resumed run pseudonymises exactly like the interrupted one.
        return new DemoPipelineHarness(server, root, DeidentificationKey.Ephemeral());
    }

    /// <summary>Quarantine records of a run (JSON objects), from the quarantine lake.</summary>
    public static async Task<List<JsonElement>> QuarantineRecordsAsync(EmbeddedPipeline pipeline, string runId)
    {
        var records = new List<JsonElement>();
        await foreach (var item in pipeline.Quarantine.ListAsync(LakePaths.QuarantinePrefix(runId)))
        {
            await using var stream = await pipeline.Quarantine.OpenReadAsync(item.Path);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.Length > 0) records.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }
        return records;
    }

    /// <summary>The shared 100-patient Synthea export as a landed-folder run input.</summary>
    public static RunInput SyntheaInput => new() { SourceId = "synthea-100", Kind = SourceKind.Folder, FolderPath = Ingestion.Testing.SharedData.PathOf("synthea", "100-patients") };

    /// <summary>The shared Synthea27Nj vocabulary download (Athena layout).</summary>
    public static string SyntheaVocabularyFolder => Ingestion.Testing.SharedData.PathOf("omop", "vocab-synthea27nj");

    /// <summary>A pipeline mapping with the shared Synthea27Nj vocabulary (compiled once per harness).</summary>
    public async Task<EmbeddedPipeline> OpenWithSyntheaVocabularyAsync(Action<PipelineOptions>? configure = null)
    {
        var vocabulary = Path.Combine(Root, "vocabulary.bin");
        if (!File.Exists(vocabulary)) await VocabularyFile.BuildAsync(SyntheaVocabularyFolder, vocabulary, CancellationToken.None);
        return OpenPipeline(vocabularyPath: vocabulary, configure: configure);
    }

    public EmbeddedPipeline OpenPipeline(IPipelineFaults? faults = null, Action<PipelineOptions>? configure = null, string? vocabularyPath = null, string lake = "lake", ILoggerFactory? logs = null, string? crosswalkLocation = null)
    {
        var options = new PipelineOptions
        {
            MaxParallelActivities = 2,
            IdlePollInterval = TimeSpan.FromMilliseconds(20),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(500),
            VisibilityTimeout = TimeSpan.FromSeconds(3),
        };
        configure?.Invoke(options);
        var pipeline = EmbeddedPipeline.Create(new EmbeddedPipelineSettings
        {
            Pipeline = options,
            Storage = new LocalStorageOptions { LakePath = Path.Combine(Root, lake), QuarantinePath = Path.Combine(Root, lake + "-quarantine") },
            Vocabulary = new VocabularyOptions { Path = vocabularyPath },
            Deidentification = new DeidentificationOptions { Key = Key, CrosswalkLocation = crosswalkLocation },
            BulkExport = new BulkExportClientOptions
            {
                AllowInsecureHttp = true,
                AllowPrivateNetwork = true,
                MaxStatusRequestsPerMinute = 6000,
                RetryAfterFloor = TimeSpan.FromMilliseconds(50),
                BackoffBase = TimeSpan.FromMilliseconds(50),
                BackoffCeiling = TimeSpan.FromMilliseconds(500),
            },
            CdmHolder = "test",
        }, Validator, logs ?? NullLoggerFactory.Instance, faults);
        _pipelines.Add(pipeline);
        return pipeline;
    }

    public RunInput ServerInput(bool incremental = false) => new()
    {
        SourceId = Server.BaseUrl.ToString(),
        Kind = SourceKind.FhirServer,
        FhirBaseUrl = Server.BaseUrl.ToString(),
        Incremental = incremental,
    };

    public static async Task<RunStatus> RunAsync(EmbeddedPipeline pipeline, string instanceId, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        return await pipeline.Host.RunUntilTerminalAsync(instanceId, null, timeout.Token);
    }

    public async Task<RunManifest> ManifestAsync(EmbeddedPipeline pipeline, string runId)
    {
        await using var stream = await pipeline.Lake.OpenReadAsync(LakePaths.RunManifest(runId));
        return (await JsonSerializer.DeserializeAsync<RunManifest>(stream, StateJson.Options))!;
    }

    public async Task<RunReport> ReportAsync(EmbeddedPipeline pipeline, string runId)
    {
        await using var stream = await pipeline.Lake.OpenReadAsync(LakePaths.RunReport(runId));
        return (await JsonSerializer.DeserializeAsync<RunReport>(stream, StateJson.Options))!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _pipelines) await p.DisposeAsync();
        await Server.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
