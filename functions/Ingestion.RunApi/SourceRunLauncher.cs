using Ingestion.Fhir.BulkData;
using Ingestion.Orchestration;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Ingestion.RunApi;

/// <summary>
/// Starts API runs through the orchestration layer's <see cref="ExportRunStarter"/> (key pinning, one run per source),
/// with the request's overrides applied to the configured source's export request. The Durable client is the
/// caller's: under Functions it is the per-invocation <c>[DurableClient]</c> binding.
/// </summary>
public sealed class SourceRunLauncher(SourcesOptions sources, ExportRunStarterFactory starters) : IExportRunLauncher
{
    public bool IsConfiguredSource(string sourceId) => sources.Sources.ContainsKey(sourceId);

    public async Task<RunLaunch> StartAsync(DurableTaskClient client, StartExportRequest request, string requestedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var starter = starters.Create(client);
        var input = starter.InputFor(sources.Get(request.Source), new RunTrigger(RunTriggerKind.Api, requestedBy));
        input = input with { Request = Apply(request, input.Request) };
        return Launch(await starter.StartAsync(input, null, cancellationToken).ConfigureAwait(false));
    }

    public async Task<RunLaunch> RetryFailedFilesAsync(DurableTaskClient client, string runId, string requestedBy, CancellationToken cancellationToken)
    {
        try
        {
            return Launch(await starters.Create(client).RetryAsync(runId, requestedBy, cancellationToken).ConfigureAwait(false));
        }
        catch (KeyNotFoundException)
        {
            return RunLaunch.Refused(RunApiProblem.RunNotFound());
        }
        catch (InvalidOperationException)
        {
            return RunLaunch.Refused(RunApiProblem.Conflict("not-retryable", "Only a run that failed in its files can be retried; run the export again."));
        }
    }

    /// <summary>The request's choices win over the source's; a group turns the export into a group-level one.</summary>
    private static BulkExportRequest Apply(StartExportRequest request, BulkExportRequest configured) => configured with
    {
        Since = request.Since ?? configured.Since,
        Types = request.Types.Count > 0 ? request.Types : configured.Types,
        TypeFilters = request.TypeFilters.Count > 0 ? request.TypeFilters : configured.TypeFilters,
        Level = request.Group is null ? configured.Level : BulkExportLevel.Group,
        GroupId = request.Group ?? configured.GroupId,
    };

    private static RunLaunch Launch(RunStartResult result) => result.Outcome switch
    {
        RunStartOutcome.Started => RunLaunch.Started(result.RunId),
        RunStartOutcome.SkippedSourceBusy => RunLaunch.Refused(new RunApiProblem(StatusCodes.Status409Conflict, "source-busy", "The source has a run in progress; cancel it or wait.", "source")),
        _ => RunLaunch.Refused(RunApiProblem.Conflict("run-exists", "A run with this id exists.")),
    };
}
