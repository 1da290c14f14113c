using Ingestion.RunApi;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Ingestion.Serve;

/// <summary>
/// serve's access rules, after host filtering: a browser request from a foreign origin is refused (403) before
/// anything runs, and every run API call except health needs a credential in a header (401): the <c>X-Api-Key</c>, or an
/// Entra ID bearer token, whose <c>roles</c> must hold the operator role for state-changing calls (403). Cookies are never
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
        // Open: health, and the dashboard's static files (no data; the page sends the credential on its API calls).
        var isOpen = request.Path.Equals("/" + RunApiRoutes.Prefix + "/" + RunApiRoutes.Health, StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments("/" + RunApiRoutes.Dashboard, StringComparison.OrdinalIgnoreCase);
        var entra = options.Entra.IsConfigured;
        if (isOpen || (apiKey is null && !entra))
        {
            await next(context);
            return;
        }
        if (apiKey is not null && request.Headers.ContainsKey(ApiKeyCheck.HeaderName))
        {
            if (!apiKey.Matches(request.Headers[ApiKeyCheck.HeaderName].ToString()))
            {
                await Unauthorized(context, entra);
                return;
            }
            await next(context);
            return;
        }
        if (!entra)
        {
            await Unauthorized(context, entra: false);
            return;
        }
        var result = await context.AuthenticateAsync(ServeEntraOptions.Scheme);
        if (!result.Succeeded || result.Principal is null)
        {
            await Unauthorized(context, entra);
            return;
        }
        context.User = result.Principal;
        if (IsStateChanging(request) && !result.Principal.IsInRole(options.Entra.OperatorRole))
        {
            await Refuse(context, new RunApiProblem(StatusCodes.Status403Forbidden, "operator-role-required", $"This call needs the '{options.Entra.OperatorRole}' app role."));
            return;
        }
        await next(context);
    }

    /// <summary>Everything but reads changes a run (start, cancel, terminate, purge, restart, retry).</summary>
    private static bool IsStateChanging(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));

    private Task Unauthorized(HttpContext context, bool entra)
    {
        var schemes = new List<string>(2);
        if (apiKey is not null) schemes.Add("ApiKey header=\"" + ApiKeyCheck.HeaderName + "\"");
        if (entra) schemes.Add("Bearer");
        context.Response.Headers.WWWAuthenticate = string.Join(", ", schemes);
        var how = apiKey is not null && entra ? $"the API key in the {ApiKeyCheck.HeaderName} header or an Entra ID bearer token"
            : entra ? "an Entra ID bearer token (Authorization: Bearer)" : $"the API key in the {ApiKeyCheck.HeaderName} header";
        return Refuse(context, new RunApiProblem(StatusCodes.Status401Unauthorized, "credential-required", $"Send {how}."));
    }

    private bool IsAllowedOrigin(string origin, HttpRequest request) =>
        string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
        || options.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase);

    private static Task Refuse(HttpContext context, RunApiProblem problem) => problem.ToResult().ExecuteAsync(context);
}
