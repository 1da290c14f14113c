using System.Security.Cryptography;
using Ingestion.Functions.Durable;
using Ingestion.Orchestration;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.Sources;
using Ingestion.Storage;
using Ingestion.Storage.Catalog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Functions.Tests.Wrappers;

/// <summary>
/// The hand-written activity triggers, invoked as the Functions host would (input, instance id, a FunctionContext with
/// the app's services): a run's steps through every wrapper reach the right activity with the right input, seen in
/// the run catalog and at the recorded I/O ends (server, file activity, reducer, publisher, events).
/// </summary>
public sealed class ActivityFunctionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("activity-wrappers-").FullName;
    private readonly RecordingPipelineParts _parts = new();
    private readonly ServiceProvider _services;

    public ActivityFunctionTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:LakePath"] = Path.Combine(_folder, "lake"),
            ["Deid:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IExportSourceFactory>(_parts);
        services.AddSingleton<IFileActivity>(_parts);
        services.AddSingleton<IRunReducer>(_parts);
        services.AddSingleton<IRunPublisher>(_parts);
        services.AddSingleton<IRunEventPublisher>(_parts);
        services.AddExportPipeline(configuration);
        _services = services.BuildServiceProvider();
    }

    private IRunCatalog Catalog => _services.GetRequiredService<IRunCatalog>();
    private FakeFunctionContext Context(string function) => new(_services, function);

    [Fact]
    public async Task A_runs_steps_through_the_activity_wrappers_reach_their_activities()
    {
        const string runId = "ehr1-20261206T0200Z";
        var key = _services.GetRequiredService<RunKeyPin>().Fingerprint;
        var input = new ExportRunInput
        {
            SourceId = "ehr1", SourceKind = ExportSourceKind.FhirServer, FhirBaseUrl = "https://ehr.test/fhir", KeyFingerprint = key,
            Trigger = new RunTrigger(RunTriggerKind.Api, "operator"),
        };
        var step = new RunStep(runId, key);

        Assert.True(await ActivityFunctions.RecordRunAsync(new RunRecordChange(runId, "KickOff") { Start = input, At = DateTimeOffset.UtcNow }, runId, Context(nameof(RecordRunActivity))));
        Assert.Equal("ehr1", (await Catalog.GetRunAsync(runId, CancellationToken.None))!.SourceId);

        var kickOff = await ActivityFunctions.KickOffExportAsync(step, runId, Context(nameof(KickOffExportActivity)));
        Assert.Equal(RecordingPipelineParts.StatusUrl, kickOff.Job.StatusUrl);
        Assert.Equal(RecordingPipelineParts.StatusUrl, (await Catalog.GetRunAsync(runId, CancellationToken.None))!.ExportStatusUrl);

        var poll = await ActivityFunctions.PollExportAsync(new PollRequest(runId, key, kickOff.Job), runId, Context(nameof(PollExportActivity)));
        Assert.True(poll.Complete);
        Assert.Equal(2, poll.FileCount);

        var processed = await ActivityFunctions.ProcessFileAsync(new FileRequest(runId, key, 0), runId, Context(nameof(ProcessFileActivity)));
        Assert.Equal((0, 1L), (processed.Index, processed.ResourcesRead));
        // The file activity downloads the signed URL (re-read from the manifest); the catalog row keeps it redacted.
        Assert.Equal(RecordingPipelineParts.SignedFileUrl, Assert.Single(_parts.FilesProcessed).Url);
        Assert.DoesNotContain("sig=", (await Catalog.GetFileAsync(runId, 0, CancellationToken.None))!.Url, StringComparison.Ordinal);

        Assert.True(await ActivityFunctions.RecordFileFailedAsync(new FileFailure(runId, 1, "File 1 (Observation): HTTP 500."), runId, Context(nameof(RecordFileFailedActivity))));
        Assert.Equal(RunFileStatus.Failed, (await Catalog.GetFileAsync(runId, 1, CancellationToken.None))!.Status);

        await ActivityFunctions.ReduceRunAsync(step, runId, Context(nameof(ReduceRunActivity)));
        var published = await ActivityFunctions.PublishRunAsync(step, runId, Context(nameof(PublishRunActivity)));
        Assert.Equal($"_runs/{runId}/manifest.json", published.ManifestPath);
        Assert.Equal(["kick-off", "poll", "poll", "reduce " + runId, "publish " + runId], _parts.Calls);

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), await ActivityFunctions.AdvanceWatermarkAsync(step, runId, Context(nameof(AdvanceWatermarkActivity))));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), (await Catalog.GetWatermarkAsync("ehr1", CancellationToken.None))?.TransactionTime);

        Assert.True(await ActivityFunctions.DeleteExportAsync(new ExportDeletion(runId, RecordingPipelineParts.StatusUrl), runId, Context(nameof(DeleteExportActivity))));
        Assert.Contains("delete " + RecordingPipelineParts.StatusUrl, _parts.Calls);

        await ActivityFunctions.AnnounceRunAsync(new RunAnnouncement(runId, "ehr1", RunOutcome.Completed), runId, Context(nameof(AnnounceRunActivity)));
        var announced = Assert.Single(_parts.Events);
        Assert.Equal((runId, RunEventType.RunCompleted), (announced.RunId, announced.Type));
    }

    [Fact]
    public async Task The_retry_wrapper_copies_a_failed_runs_files_into_the_new_run()
    {
        var key = _services.GetRequiredService<RunKeyPin>().Fingerprint;
        await Catalog.CreateRunAsync(new RunRecord { RunId = "failed", SourceId = "ehr1", CreatedAt = DateTimeOffset.UtcNow, KeyFingerprint = key, Trigger = "api", Status = RunRecordStatus.Failed, ExportStatusUrl = RecordingPipelineParts.StatusUrl }, CancellationToken.None);
        await Catalog.PutFilesAsync("failed", [new RunFileRecord { RunId = "failed", Index = 0, Kind = ManifestFiles.Output, ResourceType = "Patient", Url = "https://ehr.test/files/0.ndjson?…", Status = RunFileStatus.Failed }], CancellationToken.None);
        await Catalog.CreateRunAsync(new RunRecord { RunId = "retry", SourceId = "ehr1", CreatedAt = DateTimeOffset.UtcNow, KeyFingerprint = key, Trigger = "retry" }, CancellationToken.None);

        var copied = await ActivityFunctions.PrepareRetryAsync(new RetryFilesRequest("retry", key, "failed", [0]), "retry", Context(nameof(PrepareRetryActivity)));

        Assert.Equal((1, RecordingPipelineParts.StatusUrl), (copied.FileCount, copied.StatusUrl));
        Assert.Equal(RunFileStatus.Pending, (await Catalog.GetFileAsync("retry", 0, CancellationToken.None))!.Status);
    }

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
