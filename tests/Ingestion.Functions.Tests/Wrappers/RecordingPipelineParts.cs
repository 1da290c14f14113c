using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Ndjson;
using Ingestion.Orchestration;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.Sources;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Functions.Tests.Wrappers;

/// <summary>
/// The I/O ends of the activities, recorded: a Bulk Data server (kick-off, a manifest with one signed file URL, delete),
/// the file activity, reducer, publisher and event publisher. Activity wrappers are checked by what reaches these.
/// </summary>
internal sealed class RecordingPipelineParts : IExportSourceFactory, IExportSource, IFileActivity, IRunReducer, IRunPublisher, IRunEventPublisher
{
    public const string StatusUrl = "https://ehr.test/status/1";
    public const string SignedFileUrl = "https://ehr.test/files/0.ndjson?sig=secret-signature";

    public ConcurrentQueue<string> Calls { get; } = new();
    public ConcurrentQueue<ActivityState> FilesProcessed { get; } = new();
    public ConcurrentQueue<RunEvent> Events { get; } = new();

    public IExportSource Create(ExportRunInput input) => this;

    public Task<BulkExportJob> KickOffAsync(BulkExportRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue("kick-off");
        return Task.FromResult(new BulkExportJob(StatusUrl, DateTimeOffset.UtcNow));
    }

    public Task<BulkExportPollResult> PollAsync(BulkExportJob job, CancellationToken cancellationToken)
    {
        Calls.Enqueue("poll");
        return Task.FromResult(new BulkExportPollResult
        {
            Job = job,
            Manifest = new BulkExportManifest
            {
                TransactionTime = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
                Request = "https://ehr.test/$export",
                Output = [new BulkExportFile("Patient", SignedFileUrl, 1), new BulkExportFile("Observation", "https://ehr.test/files/1.ndjson", 1)],
            },
        });
    }

    public async IAsyncEnumerable<NdjsonLine> ReadFileAsync(BulkExportFile file, bool requiresAccessToken, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield break;
    }

    public Task DeleteAsync(BulkExportJob job, CancellationToken cancellationToken)
    {
        Calls.Enqueue("delete " + job.StatusUrl);
        return Task.CompletedTask;
    }

    public Task<FileResult> RunAsync(FileActivityContext context, CancellationToken cancellationToken)
    {
        FilesProcessed.Enqueue(context.Activity);
        return Task.FromResult(new FileResult { LinesRead = 1, ResourcesValid = 1 });
    }

    public Task<IReadOnlyList<PartOutput>> ReduceAsync(RunState run, IReadOnlyList<ActivityState> activities, CancellationToken cancellationToken)
    {
        Calls.Enqueue("reduce " + run.InstanceId);
        return Task.FromResult<IReadOnlyList<PartOutput>>([]);
    }

    public Task<PublishedRun> PublishAsync(RunState run, IReadOnlyList<ActivityState> activities, IReadOnlyList<PartOutput> reduced, CancellationToken cancellationToken)
    {
        Calls.Enqueue("publish " + run.InstanceId);
        return Task.FromResult(new PublishedRun($"_runs/{run.InstanceId}/manifest.json", $"reports/{run.InstanceId}/report.json", new Dictionary<string, long>()));
    }

    public Task<RunEventDelivery> PublishAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(runEvent);
        return Task.FromResult(RunEventDelivery.Sent);
    }
}
