using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.RunApi;

/// <summary>
/// The run API as ASP.NET Core endpoints, for hosts other than Functions (the standalone <c>serve</c>): the same routes
/// and the same <see cref="ExportRunApi"/> the HTTP triggers call, with the host's registered <see cref="DurableTaskClient"/>.
/// </summary>
public static class RunApiEndpoints
{
    public static IEndpointRouteBuilder MapRunApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/" + RunApiRoutes.Prefix);
        api.MapPost(RunApiRoutes.Exports, (HttpRequest request, ExportRunApi runs, DurableTaskClient client, CancellationToken cancellationToken) =>
            runs.StartAsync(request, client, cancellationToken));
        api.MapGet(RunApiRoutes.Exports, (HttpRequest request, ExportRunApi runs, CancellationToken cancellationToken) =>
            runs.ListAsync(request, cancellationToken));
        api.MapGet(RunApiRoutes.Export, (string id, HttpRequest request, ExportRunApi runs, DurableTaskClient client, CancellationToken cancellationToken) =>
            runs.GetStatusAsync(request, client, id, cancellationToken));
        api.MapPost(RunApiRoutes.Event, (string id, string eventName, HttpRequest request, ExportRunApi runs, DurableTaskClient client, CancellationToken cancellationToken) =>
            runs.RaiseEventAsync(request, client, id, eventName, cancellationToken));
        api.MapPost(RunApiRoutes.Terminate, (string id, HttpRequest request, ExportRunApi runs, DurableTaskClient client, CancellationToken cancellationToken) =>
            runs.TerminateAsync(request, client, id, cancellationToken));
        api.MapDelete(RunApiRoutes.Export, (string id, HttpRequest request, ExportRunApi runs, DurableTaskClient client, CancellationToken cancellationToken) =>
            runs.PurgeAsync(request, client, id, cancellationToken));
        api.MapPost(RunApiRoutes.Restart, (string id, HttpRequest request, ExportRunApi runs, DurableTaskClient client, CancellationToken cancellationToken) =>
            runs.RestartAsync(request, client, id, cancellationToken));
        api.MapPost(RunApiRoutes.RetryFailed, (string id, HttpRequest request, ExportRunApi runs, DurableTaskClient client, CancellationToken cancellationToken) =>
            runs.RetryFailedAsync(request, client, id, cancellationToken));
        api.MapGet(RunApiRoutes.Detail, (string id, HttpRequest request, RunReadApi reads, CancellationToken cancellationToken) =>
            reads.GetDetailAsync(request, id, cancellationToken));
        api.MapGet(RunApiRoutes.Sources, (HttpRequest request, RunReadApi reads, CancellationToken cancellationToken) =>
            reads.ListSourcesAsync(request, cancellationToken));
        api.MapGet(RunApiRoutes.Trends, (HttpRequest request, RunReadApi reads, CancellationToken cancellationToken) =>
            reads.ListTrendsAsync(request, cancellationToken));
        api.MapGet(RunApiRoutes.Alerts, async (RunAlertMonitor alerts, CancellationToken cancellationToken) =>
            Results.Ok(await alerts.EvaluateAsync(cancellationToken)));
        api.MapGet(RunApiRoutes.Health, () => Results.Ok(new { status = "ok" }));
        return routes;
    }

    /// <summary>The dashboard at <c>/dashboard/</c> (outside <c>/api</c>: static files, no credential needed to load them).</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/" + RunApiRoutes.Dashboard + "/{file?}", (HttpContext context, string? file) => DashboardAssets.ServeAsync(context, file));
        return routes;
    }
}
