using Ingestion.RunApi;
using Microsoft.AspNetCore.Http;

namespace Ingestion.Serve;

/// <summary>
/// serve's access rules, after host filtering: a browser request from a foreign origin is refused (403) before
/// anything runs, and every run API call except health needs the <c>X-Api-Key</c> header (401). Cookies are never
/// read (the dashboard's files are open, they hold no data), so a page on another site cannot borrow an operator's session.
/// </summary>
public sealed class ServeAccessMiddleware(RequestDelegate next, ServeOptions options, ApiKeyCheck? apiKey = null)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.Origin is { Count: > 0 } origin && !IsAllowedOrigin(origin.ToString(), request))
        {
            await Refuse(context, new RunApiProblem(StatusCodes.Status403Forbidden, "origin-refused", "Requests from this origin are not allowed."));
            return;
        }
        // Open: health, and the dashboard's static files (no data; the page sends the key on its API calls).
        var isOpen = request.Path.Equals("/" + RunApiRoutes.Prefix + "/" + RunApiRoutes.Health, StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments("/" + RunApiRoutes.Dashboard, StringComparison.OrdinalIgnoreCase);
        if (apiKey is not null && !isOpen && !apiKey.Matches(request.Headers[ApiKeyCheck.HeaderName].ToString()))
        {
            context.Response.Headers.WWWAuthenticate = "ApiKey header=\"" + ApiKeyCheck.HeaderName + "\"";
            await Refuse(context, new RunApiProblem(StatusCodes.Status401Unauthorized, "credential-required", $"Send the API key in the {ApiKeyCheck.HeaderName} header."));
            return;
        }
        await next(context);
    }

    private bool IsAllowedOrigin(string origin, HttpRequest request) =>
        string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
        || options.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase);

    private static Task Refuse(HttpContext context, RunApiProblem problem) => problem.ToResult().ExecuteAsync(context);
}
