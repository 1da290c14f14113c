using Microsoft.DurableTask.Client;

namespace Ingestion.RunApi;

/// <summary>
/// Starts runs for configured sources (the orchestration layer implements it: it owns the run input, the key pinning
/// and the one-run-per-source rule). The run API calls it only after the request passed every check.
/// </summary>
public interface IExportRunLauncher
{
    /// <summary>Whether a source with this id is configured (no I/O).</summary>
    bool IsConfiguredSource(string sourceId);

    /// <summary>Schedules a run; the answer is its instance id or why it was refused (e.g. the source has a run).</summary>
    Task<RunLaunch> StartAsync(DurableTaskClient client, StartExportRequest request, string requestedBy, CancellationToken cancellationToken);

    /// <summary>Schedules a run of a failed run's failed files (while the server still has them).</summary>
    Task<RunLaunch> RetryFailedFilesAsync(DurableTaskClient client, string runId, string requestedBy, CancellationToken cancellationToken);
}

/// <summary>A started run's instance id, or the problem that refused it.</summary>
public sealed record RunLaunch(string? InstanceId, RunApiProblem? Problem)
{
    public static RunLaunch Started(string instanceId) => new(instanceId, null);
    public static RunLaunch Refused(RunApiProblem problem) => new(null, problem);
}
