using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The fan-in: reduces the run's per-file outputs (observation_period, cdm_source, report, unmapped summary)
/// and publishes the run by writing its commit manifest last. Idempotent: publishing a run whose manifest
/// exists returns the existing manifest's path.
/// </summary>
public interface IRunPublisher
{
    Task<PublishedRun> PublishAsync(RunState run, IReadOnlyList<ActivityState> activities, CancellationToken cancellationToken);
}

public sealed record PublishedRun(string ManifestPath, string ReportPath, IReadOnlyDictionary<string, long> Counts);
