using Ingestion.RunApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ingestion.Functions.Http;

/// <summary>Liveness for load balancers and App Service health checks: anonymous, no data.</summary>
public sealed class HealthFunction
{
    [Function("Health")]
    public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RunApiRoutes.Health)] HttpRequest request) =>
        new OkObjectResult(new { status = "ok" });
}
