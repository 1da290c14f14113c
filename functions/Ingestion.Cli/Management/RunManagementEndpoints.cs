using System.Text.Json;
using Ingestion.Pipeline;
using Ingestion.Pipeline.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingestion.Cli.Management;

/// <summary>
/// The runs' management API over HTTP, in the shape of Durable Functions' webhooks: status JSON with
/// statusQueryGetUri / terminatePostUri / rerunPostUri / purgeHistoryDeleteUri. For the Functions custom handler and
/// any host that serves the pipeline over HTTP; authorization is the host's (Functions keys / Easy Auth).
/// Responses hold codes and counts only.
/// </summary>
public static class RunManagementEndpoints
{
    // Under /api: the Functions host forwards HTTP-trigger routes there and reserves /runtime/webhooks for itself.
    public const string Prefix = "/api/runs";

    public static IEndpointRouteBuilder MapRunManagement(this IEndpointRouteBuilder routes, OrchestrationClient client)
    {
        routes.MapGet(Prefix, async (HttpContext http) =>
        {
            var runs = await client.ListAsync(http.RequestAborted);
            return Json(runs.Select(r => r with { Management = ManagementUrls.For(BaseUri(http), r.InstanceId) }), StatusCodes.Status200OK);
        });
        routes.MapGet(Prefix + "/{id}", async (string id, bool? showHistory, HttpContext http) =>
        {
            var status = await client.GetStatusAsync(id, showHistory ?? false, http.RequestAborted);
            if (status is null) return NotFound(id);
            status = status with { Management = ManagementUrls.For(BaseUri(http), id) };
            // Durable Functions answers 202 while the instance runs, 200 once it is terminal.
            return Json(status, status.RuntimeStatus.IsTerminal() ? StatusCodes.Status200OK : StatusCodes.Status202Accepted);
        });
        routes.MapPost(Prefix + "/{id}/cancel", async (string id, string? reason, HttpContext http) =>
        {
            try
            {
                var canceled = await client.CancelAsync(id, reason ?? "canceled over the management API", http.RequestAborted);
                return canceled ? Results.Accepted() : Results.Conflict(new { error = "run-terminal", instanceId = id });
            }
            catch (RunNotFoundException)
            {
                return NotFound(id);
            }
        });
        routes.MapPost(Prefix + "/{id}/resume", async (string id, HttpContext http) =>
        {
            try
            {
                return await client.ResumeAsync(id, http.RequestAborted) ? Results.Accepted() : Results.Conflict(new { error = "nothing-to-resume", instanceId = id });
            }
            catch (RunNotFoundException)
            {
                return NotFound(id);
            }
        });
        routes.MapDelete(Prefix + "/{id}", async (string id, HttpContext http) =>
        {
            try
            {
                await client.PurgeAsync(id, http.RequestAborted);
                return Results.Ok(new { instancesDeleted = 1 });
            }
            catch (RunNotFoundException)
            {
                return NotFound(id);
            }
            catch (InvalidOperationException)
            {
                return Results.Conflict(new { error = "run-not-terminal", instanceId = id });
            }
        });
        return routes;
    }

    private static Uri BaseUri(HttpContext http) => new($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}");

    private static IResult Json<T>(T value, int status) =>
        Results.Text(JsonSerializer.Serialize(value, StateJson.Options), "application/json", statusCode: status);

    private static IResult NotFound(string id) => Results.NotFound(new { error = "run-not-found", instanceId = id });
}
