using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Fhir.Validation;
using Ingestion.Omop;
using Ingestion.Cli.Hosting;
using Ingestion.Orchestration;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;
using Ingestion.Privacy;
using Microsoft.Extensions.Logging;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// The embedded demo FHIR server plus the embedded pipeline in a temp folder. <see cref="OpenPipelineAsync"/> can be
/// called again after a crash: a new pipeline (new process, as far as state goes) on the same folders.
/// </summary>
internal sealed class DemoPipelineHarness : IAsyncDisposable
{
    private readonly List<TestPipeline> _pipelines = [];

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
    public static async Task<List<JsonElement>> QuarantineRecordsAsync(TestPipeline pipeline, string runId)
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
    public static ExportRunInput SyntheaInput => FolderInput("synthea-100", Ingestion.Testing.SharedData.PathOf("synthea", "100-patients"));

    /// <summary>The shared Synthea27Nj vocabulary download (Athena layout).</summary>
    public static string SyntheaVocabularyFolder => Ingestion.Testing.SharedData.PathOf("omop", "vocab-synthea27nj");

    /// <summary>A pipeline mapping with the shared Synthea27Nj vocabulary (compiled once per harness).</summary>
    public async Task<TestPipeline> OpenWithSyntheaVocabularyAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var vocabulary = Path.Combine(Root, "vocabulary.bin");
        if (!File.Exists(vocabulary)) await VocabularyFile.BuildAsync(SyntheaVocabularyFolder, vocabulary, CancellationToken.None);
        // Synthea's ~400 k row keys in sorted runs of 4,096: about a hundred runs, more than one merge reads at once.
        var values = new Dictionary<string, string?> { ["Pipeline:FanInSortRunLength"] = "4096" };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        return await OpenPipelineAsync(values, vocabularyPath: vocabulary);
    }

    /// <summary>
    /// The standalone runtime (in-memory Durable backend, SQLite catalog, local lakes under <see cref="Root"/>) with
    /// this harness's key and fast retry/poll settings. <paramref name="settings"/> adds or overrides settings;
    /// <paramref name="configureServices"/> replaces services; <paramref name="prepareFileActivity"/> as the run commands start it.
    /// </summary>
    public async Task<TestPipeline> OpenPipelineAsync(IReadOnlyDictionary<string, string?>? settings = null, string? vocabularyPath = null, string lake = "lake", ILoggerProvider? logs = null, string? crosswalkLocation = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configureServices = null, bool prepareFileActivity = false)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:LakePath"] = Path.Combine(Root, lake),
            ["Storage:QuarantinePath"] = Path.Combine(Root, lake + "-quarantine"),
            ["Storage:StatePath"] = Path.Combine(Root, lake + "-state", "catalog.db"),
            ["Vocabulary:Path"] = vocabularyPath,
            ["Deid:Key"] = Key,
            ["Deid:CrosswalkLocation"] = crosswalkLocation,
            ["Fhir:AllowInsecureHttp"] = "true",
            // The demo server is on loopback, which production refuses by default.
            ["Fhir:AllowPrivateNetwork"] = "true",
            ["Fhir:MaxStatusRequestsPerMinute"] = "6000",
            ["Fhir:RetryAfterFloor"] = "00:00:00.05",
            ["Fhir:BackoffBase"] = "00:00:00.05",
            ["Fhir:BackoffCeiling"] = "00:00:00.5",
            ["Pipeline:MaxParallelFiles"] = "2",
            ["Pipeline:RetryBaseDelay"] = "00:00:00.05",
            ["Pipeline:MaxRetryDelay"] = "00:00:00.5",
            ["Pipeline:MinPollDelay"] = "00:00:00.05",
            // Sorted runs of two records: every fan-in of these small runs spills and merges (SpilledSort).
            ["Pipeline:FanInSortRunLength"] = "2",
            ["Pipeline:CdmHolder"] = "test",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var pipeline = new TestPipeline(await PipelineRuntime.StartAsync(configuration, logs, configureServices, prepareFileActivity));
        _pipelines.Add(pipeline);
        return pipeline;
    }

    public ExportRunInput ServerInput(bool incremental = false) => new()
    {
        SourceId = "demo-server",
        SourceKind = ExportSourceKind.FhirServer,
        FhirBaseUrl = Server.BaseUrl.ToString(),
        Incremental = incremental,
        KeyFingerprint = "",
        Trigger = new RunTrigger(RunTriggerKind.Cli, "test"),
    };

    public static ExportRunInput FolderInput(string sourceId, string folder) => new()
    {
        SourceId = sourceId,
        SourceKind = ExportSourceKind.LandedFolder,
        LandedLocation = folder,
        KeyFingerprint = "",
        Trigger = new RunTrigger(RunTriggerKind.Cli, "test"),
    };

    public static async Task<TestRunStatus> RunAsync(TestPipeline pipeline, string runId, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        var instance = await pipeline.Runtime.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
        var output = instance.ReadOutputAs<ExportRunOutput>() ?? new ExportRunOutput(RunOutcome.Failed) { FailureReason = instance.FailureDetails?.ErrorMessage };
        var run = (await pipeline.Runtime.Catalog.GetRunAsync(runId, timeout.Token))!;
        RunTotals? totals = null;
        if (output.ReportPath is { } reportPath)
        {
            await using var stream = await pipeline.Lake.OpenReadAsync(reportPath, timeout.Token);
            totals = (await JsonSerializer.DeserializeAsync<RunReport>(stream, StateJson.Options, timeout.Token))!.Totals;
        }
        return new TestRunStatus(output.Outcome, output, run, totals ?? new RunTotals());
    }

    public async Task<RunManifest> ManifestAsync(TestPipeline pipeline, string runId)
    {
        await using var stream = await pipeline.Lake.OpenReadAsync(LakePaths.RunManifest(runId));
        return (await JsonSerializer.DeserializeAsync<RunManifest>(stream, StateJson.Options))!;
    }

    public async Task<RunReport> ReportAsync(TestPipeline pipeline, string runId)
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
