using System.Globalization;
using Ingestion.Orchestration;
using Ingestion.Storage.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Ingestion.RunApi;

/// <summary>
/// The run API, one implementation for every host: the Functions HTTP triggers and the standalone <c>serve</c>
/// endpoints both call these methods with the request and their <see cref="DurableTaskClient"/>. Requests are checked
/// completely before a run is scheduled, so nothing reaches the EHR on a bad request.
/// </summary>
public sealed class ExportRunApi(
    RunApiOptions options,
    StartExportRequestReader reader,
    ManagementUrlBuilder urls,
    IExportRunLauncher launcher,
    IRunCatalog catalog,
    RunListQueryReader listQueries,
    TimeProvider time)
{
    /// <summary>The one external event a caller may raise: cancel (the orchestrator stops, DELETEs the export, ends canceled).</summary>
    public const string CancelEvent = OrchestrationEvents.Cancel;

    /// <summary><c>POST /api/exports</c> → 202 with the management payload, Location and Retry-After.</summary>
    public async Task<IResult> StartAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var (start, problem) = await reader.ReadAsync(request, cancellationToken);
        if (problem is not null) return problem.ToResult();
        if (!launcher.IsConfiguredSource(start!.Source)) return RunApiProblem.UnknownSource().ToResult();
        var launch = await launcher.StartAsync(client, start, Caller(request), cancellationToken);
        return launch.Problem?.ToResult() ?? Accepted(request, launch.InstanceId!);
    }

    /// <summary><c>GET /api/exports/{id}</c> → 202 + Location + Retry-After while running, 200 when done.</summary>
    public async Task<IResult> GetStatusAsync(HttpRequest request, DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);
        if (instance is null) return RunApiProblem.RunNotFound().ToResult();
        var management = urls.For(request, id);
        var payload = RunStatusPayload.From(instance, management);
        if (RunStatusPayload.IsTerminal(instance.RuntimeStatus)) return Results.Ok(payload);
        SetPollHeaders(request.HttpContext.Response, management.StatusQueryGetUri);
        return Results.Json(payload, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary><c>POST /api/exports/{id}/events/{eventName}</c>: only the cancel event is accepted.</summary>
    public async Task<IResult> RaiseEventAsync(HttpRequest request, DurableTaskClient client, string id, string eventName, CancellationToken cancellationToken)
    {
        if (!string.Equals(eventName, CancelEvent, StringComparison.Ordinal))
        {
            return new RunApiProblem(StatusCodes.Status404NotFound, "unknown-event", $"Runs accept only the '{CancelEvent}' event.", "eventName").ToResult();
        }
        var running = await RunningAsync(client, id, cancellationToken);
        if (running is not null) return running.ToResult();
        var caller = Caller(request);
        await client.RaiseEventAsync(id, CancelEvent, caller, cancellationToken);
        await AuditAsync(id, "CancelRequested", caller, cancellationToken);
        return Accepted(request, id);
    }

    /// <summary><c>POST /api/exports/{id}/terminate</c>: the Durable terminate (no cleanup; cancel is the graceful stop).</summary>
    public async Task<IResult> TerminateAsync(HttpRequest request, DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        var running = await RunningAsync(client, id, cancellationToken);
        if (running is not null) return running.ToResult();
        var caller = Caller(request);
        await client.TerminateRunAsync(id, $"terminated over the run API by {caller}", cancellationToken);
        await AuditAsync(id, "Terminated", caller, cancellationToken);
        return Accepted(request, id);
    }

    /// <summary><c>GET /api/exports?source=&amp;status=&amp;from=&amp;to=&amp;pageSize=&amp;continuationToken=</c>: runs from the run catalog, newest first.</summary>
    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (query, problem) = listQueries.Read(request.Query);
        if (problem is not null) return problem.ToResult();
        var page = await catalog.ListRunsAsync(query!, cancellationToken);
        return Results.Ok(new RunListPayload(
            page.Runs.Select(run => RunSummary.From(run, urls.StatusUri(request, run.RunId))).ToList(),
            page.ContinuationToken));
    }

    /// <summary>
    /// <c>DELETE /api/exports/{id}</c>: purges a finished run's history and its catalog rows (files, audit); published
    /// lake data and the source's watermark stay as they are. The purge is audited on the source.
    /// </summary>
    public async Task<IResult> PurgeAsync(HttpRequest request, DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken);
        if (instance is null) return RunApiProblem.RunNotFound().ToResult();
        if (!RunStatusPayload.IsTerminal(instance.RuntimeStatus)) return RunApiProblem.Conflict("run-not-finished", "Cancel or terminate the run before purging it.").ToResult();
        var run = await catalog.GetRunAsync(id, cancellationToken);
        var purged = await client.PurgeRunAsync(id, cancellationToken);
        await catalog.DeleteRunAsync(id, cancellationToken);
        if (run is not null) await AuditAsync("source:" + run.SourceId, "Purged", Caller(request), cancellationToken, detail: "run " + id);
        return Results.Ok(new { instancesDeleted = purged });
    }

    /// <summary><c>POST /api/exports/{id}/restart</c>: the same input as a new run.</summary>
    public async Task<IResult> RestartAsync(HttpRequest request, DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken);
        if (instance is null) return RunApiProblem.RunNotFound().ToResult();
        if (!RunStatusPayload.IsTerminal(instance.RuntimeStatus)) return RunApiProblem.Conflict("run-not-finished", "Only a finished run can be restarted.").ToResult();
        var restarted = await client.RestartAsync(id, restartWithNewInstanceId: true, cancellationToken);
        return Accepted(request, restarted);
    }

    /// <summary><c>POST /api/exports/{id}/retry-failed</c>: a new run of the failed run's failed files.</summary>
    public async Task<IResult> RetryFailedAsync(HttpRequest request, DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        var launch = await launcher.RetryFailedFilesAsync(client, id, Caller(request), cancellationToken);
        return launch.Problem?.ToResult() ?? Accepted(request, launch.InstanceId!);
    }

    private static async Task<RunApiProblem?> RunningAsync(DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken);
        if (instance is null) return RunApiProblem.RunNotFound();
        return RunStatusPayload.IsTerminal(instance.RuntimeStatus) ? RunApiProblem.Conflict("run-finished", "The run has finished.") : null;
    }

    private Task AuditAsync(string scope, string action, string actor, CancellationToken cancellationToken, string? detail = null)
    {
        var at = time.GetUtcNow();
        var entryId = $"{action.ToLowerInvariant()}:{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}";
        return catalog.AppendAuditAsync(new AuditEntry(scope, entryId, action, at) { Actor = actor, Detail = detail }, cancellationToken);
    }

    private IResult Accepted(HttpRequest request, string instanceId)
    {
        var management = urls.For(request, instanceId);
        SetPollHeaders(request.HttpContext.Response, management.StatusQueryGetUri);
        return Results.Json(management, statusCode: StatusCodes.Status202Accepted);
    }

    private void SetPollHeaders(HttpResponse response, Uri status)
    {
        response.Headers.Location = status.AbsoluteUri;
        response.Headers.RetryAfter = options.StatusRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Who asked, for the audit trail: the authenticated name, else "api".</summary>
    private static string Caller(HttpRequest request) => request.HttpContext.User.Identity?.Name is { Length: > 0 } name ? name : "api";
}
