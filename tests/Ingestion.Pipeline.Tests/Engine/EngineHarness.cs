using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.Sources;
using Ingestion.Pipeline.State;
using Ingestion.Storage;
using Ingestion.Storage.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>
/// A pipeline on the embedded storage in a temp folder. <see cref="Restart"/> simulates a new process: a fresh
/// in-process queue (the old one's messages are gone) on the same SQLite file and lake.
/// </summary>
internal sealed class EngineHarness : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("pipeline-engine-").FullName;
    public SqliteStateStore Store { get; }
    public FileSystemLake Lake { get; }
    public FileSystemLake Quarantine { get; }
    public IWorkQueue Queue { get; private set; }
    public IExportSourceFactory Sources { get; }
    public IFileActivity Activity { get; }
    public PipelineOptions Options { get; } = new()
    {
        MaxParallelActivities = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(100),
        IdlePollInterval = TimeSpan.FromMilliseconds(10),
        VisibilityTimeout = TimeSpan.FromSeconds(3),
    };
    public List<RunEvent> Events { get; } = [];

    public EngineHarness(IExportSourceFactory sources, Func<ILake, IFileActivity>? activity = null)
    {
        Store = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = Path.Combine(Root, "state.db") });
        Lake = new FileSystemLake(new FileSystemLakeOptions { RootPath = Path.Combine(Root, "lake") });
        Quarantine = new FileSystemLake(new FileSystemLakeOptions { RootPath = Path.Combine(Root, "quarantine") });
        Queue = new InProcessWorkQueue("work");
        Sources = sources;
        Activity = (activity ?? (l => new LineCountingActivity(l)))(Lake);
    }

    public void Restart() => Queue = new InProcessWorkQueue("work");

    public OrchestrationServices Services(IPipelineFaults? faults = null) => new()
    {
        StateStore = Store,
        WorkQueue = Queue,
        Events = new ListPublisher(Events),
        Lake = Lake,
        QuarantineLake = Quarantine,
        Sources = Sources,
        FileActivity = Activity,
        Publisher = new LakeRunPublisher(Lake, new NoReduce(), new RunProvenance("5.4", "test-vocab", "fp-test", true), Options, TimeProvider.System),
        Options = Options,
        Faults = faults ?? IPipelineFaults.None,
        LoggerFactory = NullLoggerFactory.Instance,
    };

    public OrchestrationClient Client() => new(Services());

    public async Task<RunStatus> RunToEndAsync(string instanceId, IPipelineFaults? faults = null, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        return await new OrchestrationHost(Services(faults)).RunUntilTerminalAsync(instanceId, null, timeout.Token);
    }

    public static RunInput Input(string source = "scripted") => new() { SourceId = source, Kind = SourceKind.FhirServer, FhirBaseUrl = "http://scripted" };

    public void Dispose()
    {
        Store.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    private sealed class NoReduce : IRunReducer
    {
        public Task<IReadOnlyList<PartOutput>> ReduceAsync(RunState run, IReadOnlyList<ActivityState> activities, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<PartOutput>>([]);
    }

    private sealed class ListPublisher(List<RunEvent> events) : IRunEventPublisher
    {
        public Task<RunEventDelivery> PublishAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
        {
            lock (events) events.Add(runEvent);
            return Task.FromResult(RunEventDelivery.Sent);
        }
    }
}
