using Microsoft.AspNetCore.Http;

namespace Ingestion.RunApi;

/// <summary>
/// Builds a run's management URLs from the configured public base URL, else from X-Forwarded-Proto/Host (a reverse
/// proxy or the Functions front end), else from the request itself. With <see cref="RunApiOptions.RequireHttps"/> the
/// scheme is always https.
/// </summary>
public sealed class ManagementUrlBuilder(RunApiOptions options)
{
    public ManagementPayload For(HttpRequest request, string instanceId)
    {
        var root = ApiRoot(request);
        var id = Uri.EscapeDataString(instanceId);
        string Route(string template) => root + template.Replace("{id}", id, StringComparison.Ordinal);
        return new ManagementPayload(
            instanceId,
            new Uri(Route(RunApiRoutes.Export)),
            Route(RunApiRoutes.Event),
            new Uri(Route(RunApiRoutes.Terminate)),
            new Uri(Route(RunApiRoutes.Export)),
            new Uri(Route(RunApiRoutes.Restart)),
            new Uri(Route(RunApiRoutes.RetryFailed)));
    }

    public Uri StatusUri(HttpRequest request, string instanceId) =>
        new(ApiRoot(request) + RunApiRoutes.Export.Replace("{id}", Uri.EscapeDataString(instanceId), StringComparison.Ordinal));

    /// <summary>"https://host[:port][/base]/api/".</summary>
    private string ApiRoot(HttpRequest request)
    {
        string scheme, authority, pathBase;
        if (options.PublicBaseUrl is { } configured)
        {
            scheme = configured.Scheme;
            authority = configured.Authority;
            pathBase = configured.AbsolutePath.TrimEnd('/');
        }
        else
        {
            scheme = Forwarded(request, "X-Forwarded-Proto") is { } proto && (proto is "http" or "https") ? proto : request.Scheme;
            authority = Forwarded(request, "X-Forwarded-Host") is { } host && IsHost(host) ? host : request.Host.Value ?? "localhost";
            pathBase = request.PathBase.Value?.TrimEnd('/') ?? "";
        }
        if (options.RequireHttps) scheme = Uri.UriSchemeHttps;
        return $"{scheme}://{authority}{pathBase}/{RunApiRoutes.Prefix}/";
    }

    /// <summary>The first value of a forwarded header (proxies append theirs after the client's).</summary>
    private static string? Forwarded(HttpRequest request, string header)
    {
        var value = request.Headers[header].ToString();
        if (value.Length == 0) return null;
        var comma = value.IndexOf(',');
        return (comma < 0 ? value : value[..comma]).Trim().ToLowerInvariant();
    }

    // A forwarded host must be a host[:port] and nothing else, or it could smuggle a path or credentials into the URLs.
    private static bool IsHost(string value) =>
        Uri.TryCreate("https://" + value + "/", UriKind.Absolute, out var uri) && uri.Authority.Equals(value, StringComparison.OrdinalIgnoreCase) && uri.UserInfo.Length == 0;
}
