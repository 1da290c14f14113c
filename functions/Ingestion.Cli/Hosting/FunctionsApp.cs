using System.Text.Json;
using System.Text.Json.Nodes;
using Ingestion.Cli.Management;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Hosting;
using Ingestion.Pipeline.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ingestion.Cli.Hosting;

/// <summary>
/// The HTTP surface of `serve`: the Azure Functions custom-handler endpoints (one POST per function folder,
/// payload {Data, Metadata}, answer {Outputs, Logs, ReturnValue}) and the forwarded HTTP routes under /api
/// (start an export, run management, dashboard). The same app runs standalone.
/// </summary>
public static class FunctionsApp
{
    /// <summary>Function names: the folders under FunctionApp/ that hold their function.json.</summary>
    public const string ScheduledExport = "ScheduledExport";
    public const string ProcessWork = "ProcessWork";

    public static void Map(WebApplication app, EmbeddedPipeline pipeline, ServeSettings settings)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ingestion.Cli");

        // Timer trigger: the nightly incremental pull (_since = the source's last completed transactionTime).
        app.MapPost("/" + ScheduledExport, async (HttpContext http) =>
        {
            if (settings.FhirBaseUrl is null)
            {
                log.LogError("Scheduled export skipped: Fhir:BaseUrl is not set.");
                return Results.Json(InvocationResult(["Fhir:BaseUrl is not set; no export started."]), statusCode: StatusCodes.Status500InternalServerError);
            }
            var id = await pipeline.Client.StartNewAsync(FhirRun(settings.FhirBaseUrl, incremental: true, since: null, types: []), cancellationToken: http.RequestAborted);
            log.LogInformation("Scheduled incremental export started as run {RunId}.", id);
            return Results.Json(InvocationResult([$"started run {id}"], id));
        });

        // Queue trigger: one work message (orchestrator step or file activity). Failing the request makes the
        // Functions host retry it and, after maxDequeueCount, move it to the poison queue.
        app.MapPost("/" + ProcessWork, async (HttpContext http) =>
        {
            var payload = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            var message = payload?["Data"]?[settings.QueueBindingName];
            var body = message switch
            {
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                JsonObject o => o.ToJsonString(),
                _ => null,
            };
            if (body is null) return Results.BadRequest(new { error = "no-queue-message", binding = settings.QueueBindingName });
            await pipeline.Host.HandleMessageAsync(body, http.RequestAborted);
            return Results.Json(InvocationResult([]));
        });

        // Ad-hoc export (HTTP trigger, forwarded): 202 + Durable-style management URLs.
        app.MapPost("/api/exports", async (HttpContext http) =>
        {
            var request = http.Request.ContentLength is > 0
                ? await JsonSerializer.DeserializeAsync<StartExportRequest>(http.Request.Body, JsonSerializerOptions.Web, http.RequestAborted)
                : null;
            var baseUrl = request?.FhirBaseUrl ?? settings.FhirBaseUrl;
            if (baseUrl is null) return Results.BadRequest(new { error = "no-fhir-base", message = "Give fhirBaseUrl in the body or set Fhir:BaseUrl." });
            var id = await pipeline.Client.StartNewAsync(FhirRun(baseUrl, request?.Incremental ?? false, request?.Since, request?.Types ?? []), cancellationToken: http.RequestAborted);
            var urls = ManagementUrls.For(new Uri($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}"), id);
            http.Response.Headers.Location = urls.StatusQueryGetUri;
            return Results.Json(new { id, urls.StatusQueryGetUri, urls.TerminatePostUri, urls.RerunPostUri, urls.PurgeHistoryDeleteUri }, statusCode: StatusCodes.Status202Accepted);
        });

        app.MapRunManagement(pipeline.Client);
        app.MapGet("/api/health", () => Results.Json(new { status = "ok", lake = pipeline.Lake.Location }));
    }

    private static RunInput FhirRun(string baseUrl, bool incremental, DateTimeOffset? since, IReadOnlyList<string> types) => new()
    {
        SourceId = baseUrl,
        Kind = SourceKind.FhirServer,
        FhirBaseUrl = baseUrl,
        Incremental = incremental,
        Since = since,
        Types = types,
    };

    /// <summary>The custom handler's response payload.</summary>
    private static object InvocationResult(IReadOnlyList<string> logs, object? returnValue = null) =>
        new Dictionary<string, object?> { ["Outputs"] = new Dictionary<string, object?>(), ["Logs"] = logs, ["ReturnValue"] = returnValue };

    private sealed record StartExportRequest(string? FhirBaseUrl, bool? Incremental, DateTimeOffset? Since, IReadOnlyList<string>? Types);
}
