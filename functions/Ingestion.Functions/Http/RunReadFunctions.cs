using Ingestion.RunApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ingestion.Functions.Http;

/// <summary>The run API's read views for the dashboard (run detail, sources, trends, alerts) as HTTP triggers; <c>serve</c> maps the same <see cref="RunReadApi"/>.</summary>
public sealed class RunReadFunctions(RunReadApi reads, RunAlertMonitor alerts)
{
    [Function("GetExportDetail")]
    public async Task<IActionResult> GetDetailAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = RunApiRoutes.Detail)] HttpRequest request,
        string id) =>
        new ResultActionResult(await reads.GetDetailAsync(request, id, request.HttpContext.RequestAborted));

    [Function("ListSources")]
    public async Task<IActionResult> ListSourcesAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = RunApiRoutes.Sources)] HttpRequest request) =>
        new ResultActionResult(await reads.ListSourcesAsync(request, request.HttpContext.RequestAborted));

    [Function("ListTrends")]
    public async Task<IActionResult> ListTrendsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = RunApiRoutes.Trends)] HttpRequest request) =>
        new ResultActionResult(await reads.ListTrendsAsync(request, request.HttpContext.RequestAborted));

    [Function("ListAlerts")]
    public async Task<IActionResult> ListAlertsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = RunApiRoutes.Alerts)] HttpRequest request) =>
        new OkObjectResult(await alerts.EvaluateAsync(request.HttpContext.RequestAborted));
}
