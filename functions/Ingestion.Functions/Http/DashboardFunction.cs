using Ingestion.RunApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ingestion.Functions.Http;

/// <summary>
/// The dashboard's static files at <c>/api/dashboard/</c>: anonymous, because they hold no data; the page keeps the
/// <c>?code=</c> function key of its own URL and sends it, and the operator's API key, on every API call.
/// </summary>
public sealed class DashboardFunction
{
    [Function("Dashboard")]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RunApiRoutes.Dashboard + "/{file?}")] HttpRequest request,
        string? file) =>
        new DashboardFileResult(file);

    private sealed class DashboardFileResult(string? file) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => DashboardAssets.ServeAsync(context.HttpContext, file);
    }
}
