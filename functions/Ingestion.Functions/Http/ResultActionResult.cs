using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Ingestion.Functions.Http;

/// <summary>Lets an HTTP trigger answer with the run API's <see cref="IResult"/> (the ASP.NET Core integration writes IActionResult).</summary>
internal sealed class ResultActionResult(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
}
