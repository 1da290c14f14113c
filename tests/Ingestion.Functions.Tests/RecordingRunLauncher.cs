using System.Collections.Concurrent;
using Ingestion.RunApi;
using Microsoft.DurableTask.Client;

namespace Ingestion.Functions.Tests;

/// <summary>A launcher over a fixed set of source ids that schedules on the given client and records each call.</summary>
internal sealed class RecordingRunLauncher(params string[] sources) : IExportRunLauncher
{
    public ConcurrentQueue<StartExportRequest> Started { get; } = new();

    public bool IsConfiguredSource(string sourceId) => sources.Contains(sourceId, StringComparer.OrdinalIgnoreCase);

    public async Task<RunLaunch> StartAsync(DurableTaskClient client, StartExportRequest request, string requestedBy, CancellationToken cancellationToken)
    {
        Started.Enqueue(request);
        var id = await client.ScheduleNewOrchestrationInstanceAsync("ExportOrchestrator", request, new Microsoft.DurableTask.StartOrchestrationOptions($"{request.Source}-run"), cancellationToken);
        return RunLaunch.Started(id);
    }

    public Task<RunLaunch> RetryFailedFilesAsync(DurableTaskClient client, string runId, string requestedBy, CancellationToken cancellationToken) =>
        Task.FromResult(RunLaunch.Refused(RunApiProblem.Conflict("nothing-to-retry", "The run has no failed files.")));
}
