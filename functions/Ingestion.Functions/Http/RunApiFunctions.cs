using Ingestion.RunApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Ingestion.Functions.Http;

/// <summary>
/// The run API as HTTP triggers (function keys at least; Entra ID in front, see docs/azure.md). Each trigger only hands
/// the request and the Durable client to <see cref="ExportRunApi"/>, which <c>serve</c> calls too.
/// </summary>
public sealed class RunApiFunctions(ExportRunApi api)
{
    [Function("StartExport")]
    public async Task<IActionResult> StartAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = RunApiRoutes.Exports)] HttpRequest request,
        [DurableClient] DurableTaskClient client) =>
        new ResultActionResult(await api.StartAsync(request, client, request.HttpContext.RequestAborted));

    [Function("ListExports")]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = RunApiRoutes.Exports)] HttpRequest request) =>
        new ResultActionResult(await api.ListAsync(request, request.HttpContext.RequestAborted));

    [Function("GetExportStatus")]
    public async Task<IActionResult> GetStatusAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = RunApiRoutes.Export)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id) =>
        new ResultActionResult(await api.GetStatusAsync(request, client, id, request.HttpContext.RequestAborted));

    [Function("RaiseExportEvent")]
    public async Task<IActionResult> RaiseEventAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = RunApiRoutes.Event)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        string eventName) =>
        new ResultActionResult(await api.RaiseEventAsync(request, client, id, eventName, request.HttpContext.RequestAborted));

    [Function("TerminateExport")]
    public async Task<IActionResult> TerminateAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = RunApiRoutes.Terminate)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id) =>
        new ResultActionResult(await api.TerminateAsync(request, client, id, request.HttpContext.RequestAborted));

    [Function("PurgeExport")]
    public async Task<IActionResult> PurgeAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = RunApiRoutes.Export)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id) =>
        new ResultActionResult(await api.PurgeAsync(request, client, id, request.HttpContext.RequestAborted));

    [Function("RestartExport")]
    public async Task<IActionResult> RestartAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = RunApiRoutes.Restart)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id) =>
        new ResultActionResult(await api.RestartAsync(request, client, id, request.HttpContext.RequestAborted));

    [Function("RetryFailedFiles")]
    public async Task<IActionResult> RetryFailedAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = RunApiRoutes.RetryFailed)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id) =>
        new ResultActionResult(await api.RetryFailedAsync(request, client, id, request.HttpContext.RequestAborted));
}
