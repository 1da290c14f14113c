using Ingestion.Orchestration;
using Ingestion.Storage.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingestion.Cli.Hosting;

/// <summary>
/// The standalone host's minimal run API over the run catalog and the Durable client: list and read runs, start a
/// named source's run, cancel a run. (The Functions app's shared run API replaces this when it lands.)
/// </summary>
internal static class RunApi
{
    public static IEndpointRouteBuilder MapRunApi(this IEndpointRouteBuilder routes, PipelineRuntime runtime)
    {
        routes.MapGet("/api/runs", async (string? source, RunRecordStatus? status, string? continuation, CancellationToken ct) =>
            Results.Ok(await runtime.Catalog.ListRunsAsync(new RunQuery { SourceId = source, Status = status, ContinuationToken = continuation }, ct)));
        routes.MapGet("/api/runs/{id}", async (string id, CancellationToken ct) =>
            await runtime.Catalog.GetRunAsync(id, ct) is { } run ? Results.Ok(run with { InputJson = null }) : Results.NotFound());
        routes.MapPost("/api/sources/{sourceId}/runs", async (string sourceId, CancellationToken ct) =>
        {
            var started = await runtime.Starter.StartNamedAsync(sourceId, new RunTrigger(RunTriggerKind.Api, "serve"), ct);
            return started.Outcome == RunStartOutcome.Started
                ? Results.Accepted($"/api/runs/{started.RunId}", started)
                : Results.Conflict(started);
        });
        routes.MapPost("/api/runs/{id}/cancel", async (string id, CancellationToken ct) =>
        {
            if (await runtime.Client.GetInstanceAsync(id, getInputsAndOutputs: false, ct) is not { IsCompleted: false }) return Results.NotFound();
            await runtime.Client.RaiseEventAsync(id, OrchestrationEvents.Cancel, "api", ct);
            await runtime.Catalog.AppendAuditAsync(new AuditEntry(id, "cancel-requested", "CancelRequested", DateTimeOffset.UtcNow) { Actor = "api" }, ct);
            return Results.Accepted($"/api/runs/{id}");
        });
        return routes;
    }
}
