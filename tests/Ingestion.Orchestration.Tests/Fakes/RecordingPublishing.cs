using System.Collections.Concurrent;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Orchestration.Tests.Fakes;

/// <summary>Counts reduce and publish calls and the files they were given; records every announced event.</summary>
internal sealed class RecordingPublishing : IRunReducer, IRunPublisher, IRunEventPublisher
{
    private int _reduces, _publishes;

    public int Reduces => _reduces;
    public int Publishes => _publishes;
    public int PublishedFiles { get; private set; }
    public ConcurrentQueue<RunEvent> Events { get; } = new();

    public Task<IReadOnlyList<PartOutput>> ReduceAsync(RunState run, IReadOnlyList<ActivityState> activities, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reduces);
        return Task.FromResult<IReadOnlyList<PartOutput>>([new PartOutput("cdm_source", $"omop/cdm_source/run={run.InstanceId}/part-reduced.parquet", 1, 100)]);
    }

    public Task<PublishedRun> PublishAsync(RunState run, IReadOnlyList<ActivityState> activities, IReadOnlyList<PartOutput> reduced, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _publishes);
        PublishedFiles = activities.Count;
        return Task.FromResult(new PublishedRun($"_runs/{run.InstanceId}/manifest.json", $"reports/{run.InstanceId}/report.json", new Dictionary<string, long>()));
    }

    public Task PublishAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(runEvent);
        return Task.CompletedTask;
    }
}
