using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Ingestion.Azure.Blobs;
using Ingestion.Azure.Queues;
using Ingestion.Azure.Tests.Fixtures;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Ndjson;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.Sources;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Azure.Tests.Workers;

/// <summary>
/// The orchestration engine (branch pipeline) on the Azure adapters: two hosts with their own clients share one
/// run through one Azurite queue, one Cosmos state container and one Blob lake; host A dies in the middle of a
/// file and host B completes that file after the visibility timeout.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PipelineOnAzureTests(AzuriteFixture azurite, CosmosFixture cosmosServer) : IClassFixture<CosmosFixture>
{
    [Fact]
    public async Task Two_hosts_finish_one_run_when_one_dies_mid_activity_and_nothing_is_published_twice()
    {
        var files = Enumerable.Range(0, 6).ToDictionary(
            i => $"Observation-{i}.ndjson",
            i => string.Join('\n', Enumerable.Range(0, 5).Select(n => $$"""{"resourceType":"Observation","id":"o{{i}}-{{n}}"}""")));
        var source = new InMemoryExportSource(files);
        var container = AzuriteFixture.UniqueName("pipeline");
        var queueName = AzuriteFixture.UniqueName("work");
        var stateContainer = "state-" + Guid.NewGuid().ToString("N")[..8];
        var options = new PipelineOptions
        {
            MaxParallelActivities = 1,
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            IdlePollInterval = TimeSpan.FromMilliseconds(50),
            VisibilityTimeout = TimeSpan.FromSeconds(2),
        };
        var events = new ConcurrentQueue<RunEvent>();
        using var hostAStop = new CancellationTokenSource();
        var crash = new CrashMidActivity(hostAStop);

        var completed = new ConcurrentQueue<(string Host, int File)>();
        async Task<OrchestrationServices> HostAsync(string name, IPipelineFaults faults)
        {
            var blobs = azurite.CreateBlobClient();
            var lake = new BlobLake(blobs, container, "lake");
            var quarantine = new BlobLake(blobs, container, "quarantine");
            await lake.EnsureContainerAsync();
            var queue = new StorageQueueWorkQueue(azurite.CreateQueueClient(), queueName);
            await queue.EnsureCreatedAsync();
            // One Cosmos client per process is the SDK's rule; both hosts share the fixture's, each with its own store.
            var state = await Ingestion.Azure.Cosmos.CosmosStateStore.CreateAsync(cosmosServer.Client, new() { ContainerId = stateContainer });
            return new OrchestrationServices
            {
                StateStore = state,
                WorkQueue = queue,
                Events = new QueuePublisher(events),
                Lake = lake,
                QuarantineLake = quarantine,
                Sources = source,
                FileActivity = new LinesPartActivity(name, lake, completed),
                Publisher = new LakeRunPublisher(lake, new PartsReducer(), new RunProvenance("5.4", "test-vocab", "fp-test", true), options, TimeProvider.System),
                Options = options,
                Faults = faults,
            };
        }
        var servicesA = await HostAsync("A", crash);
        var servicesB = await HostAsync("B", IPipelineFaults.None);
        var instanceId = await new OrchestrationClient(servicesA).StartNewAsync(new RunInput { SourceId = "in-memory", Kind = SourceKind.FhirServer, FhirBaseUrl = "http://in-memory" });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var linkedA = CancellationTokenSource.CreateLinkedTokenSource(hostAStop.Token, timeout.Token);
        var hostA = new OrchestrationHost(servicesA).RunAsync(linkedA.Token);
        await WaitUntilAsync(() => crash.Hits > 0, timeout.Token);
        await hostA;
        var status = await new OrchestrationHost(servicesB).RunUntilTerminalAsync(instanceId, null, timeout.Token);

        Assert.Equal(RuntimeStatus.Completed, status.RuntimeStatus);
        Assert.Equal(1, crash.Hits);
        // Every file's activity completed exactly once; the one A died in was finished by B.
        Assert.Equal(Enumerable.Range(0, files.Count), completed.Select(c => c.File).Order());
        Assert.Equal(files.Count, completed.Count(c => c.Host == "B") + completed.Count(c => c.Host == "A"));
        Assert.Contains(completed, c => c.Host == "B");
        var lake = (BlobLake)servicesB.Lake;
        var lines = new List<string>();
        await foreach (var item in lake.ListAsync(LakePaths.TablePrefix("lines", instanceId)))
        {
            await using var part = await lake.OpenReadAsync(item.Path);
            lines.AddRange((await new StreamReader(part).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        var expected = files.Values.SelectMany(f => f.Split('\n')).Order().ToList();
        Assert.Equal(expected, lines.Order().ToList());
        Assert.Single(events, e => e.Type == RunEventType.RunCompleted);
        // Left-over engine messages (e.g. a fan-in nudge) may remain queued: they are no-ops once the run is terminal.
        Assert.NotNull(await lake.GetAsync(LakePaths.RunManifest(instanceId)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition()) await Task.Delay(50, cancellationToken);
    }

    /// <summary>The process dies at the mid-file fault point: its host stops, nothing more is checkpointed or completed.</summary>
    private sealed class CrashMidActivity(CancellationTokenSource host) : IPipelineFaults
    {
        public int Hits;

        public ValueTask AtAsync(string name, string instanceId, CancellationToken cancellationToken)
        {
            if (name == FaultPoints.MidActivity && Interlocked.Increment(ref Hits) == 1)
            {
                host.Cancel();
                throw new OperationCanceledException(host.Token);
            }
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>An export that is complete at the first poll, served from memory.</summary>
    private sealed class InMemoryExportSource(Dictionary<string, string> files) : IExportSource, IExportSourceFactory
    {
        public IExportSource Create(RunInput input) => this;

        public Task<BulkExportJob> KickOffAsync(RunInput input, DateTimeOffset? since, CancellationToken cancellationToken) =>
            Task.FromResult(new BulkExportJob("http://in-memory/status/1", DateTimeOffset.UtcNow));

        public Task<BulkExportPollResult> PollAsync(BulkExportJob job, CancellationToken cancellationToken) =>
            Task.FromResult(new BulkExportPollResult
            {
                Job = job,
                Manifest = new BulkExportManifest
                {
                    TransactionTime = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero),
                    Request = "http://in-memory/$export",
                    Output = files.Keys.Order(StringComparer.Ordinal).Select(k => new BulkExportFile(k.Split('-')[0], k)).ToList(),
                },
            });

        public async IAsyncEnumerable<NdjsonLine> ReadFileAsync(BulkExportFile file, bool requiresAccessToken, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var number = 0;
            foreach (var line in files[file.Url].Split('\n'))
            {
                await Task.Yield();
                yield return new NdjsonLine(++number, Encoding.UTF8.GetBytes(line), null);
            }
        }

        public Task DeleteAsync(BulkExportJob job, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Stages one part per file with the file's lines under the engine's deterministic part name.</summary>
    private sealed class LinesPartActivity(string host, ILake lake, ConcurrentQueue<(string Host, int File)> completed) : IFileActivity
    {
        public async Task<FileResult> RunAsync(FileActivityContext context, CancellationToken cancellationToken)
        {
            var activity = context.Activity;
            var lines = new List<string>();
            await foreach (var line in context.Source.ReadFileAsync(new(activity.ResourceType, activity.Url), false, cancellationToken))
            {
                lines.Add(Encoding.UTF8.GetString(line.Utf8.Span));
                if (lines.Count == 2) await context.Faults.AtAsync(FaultPoints.MidActivity, activity.InstanceId, cancellationToken);
            }
            var path = LakePaths.Part("lines", activity.InstanceId, activity.Index, 0);
            var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines));
            var item = await lake.WriteAsync(path, bytes, LakeWriteCondition.None, cancellationToken);
            completed.Enqueue((host, activity.Index));
            return new FileResult
            {
                LinesRead = lines.Count,
                ResourcesValid = lines.Count,
                Parts = [new PartOutput("lines", path, lines.Count, item.Length)],
                RowsByTable = new Dictionary<string, long> { ["lines"] = lines.Count },
            };
        }
    }

    /// <summary>No reduce step: the files' parts are the run's output.</summary>
    private sealed class PartsReducer : IRunReducer
    {
        public Task<IReadOnlyList<PartOutput>> ReduceAsync(RunState run, IReadOnlyList<ActivityState> activities, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<PartOutput>>([]);
    }

    private sealed class QueuePublisher(ConcurrentQueue<RunEvent> events) : IRunEventPublisher
    {
        public Task PublishAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
        {
            events.Enqueue(runEvent);
            return Task.CompletedTask;
        }
    }
}
