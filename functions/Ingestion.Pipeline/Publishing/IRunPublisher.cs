using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// Publishes a run: the report and unmapped summary over every file's output, then the commit manifest (listing
/// the files' parts and the reduced parts) written last. Idempotent: publishing a run whose manifest exists
/// returns the existing manifest's path.
/// </summary>
public interface IRunPublisher
{
    Task<PublishedRun> PublishAsync(RunState run, IReadOnlyList<ActivityState> activities, IReadOnlyList<PartOutput> reduced, CancellationToken cancellationToken);
}

public sealed record PublishedRun(string ManifestPath, string ReportPath, IReadOnlyDictionary<string, long> Counts);
