using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Ingestion.RunApi;

/// <summary>
/// The operator dashboard's static files (Dashboard/wwwroot, embedded in this library), served the same way by every
/// host at <c>dashboard/</c>. Only the embedded files exist: a name that is not one of them is 404, so no path reaches
/// the file system. The page holds no data and no credential; its API calls carry the operator's key.
/// </summary>
public static class DashboardAssets
{
    private const string ResourcePrefix = "Ingestion.RunApi.Dashboard.wwwroot.";

    // Scripts and styles from this origin only, no inline code, never framed: the page can drive the run API.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, byte[]> Files = Load();

    /// <summary>The embedded file names (e.g. <c>index.html</c>).</summary>
    public static IReadOnlyCollection<string> Names => Files.Keys;

    /// <summary>Writes the named file (empty = index.html) with its content type and security headers, or 404.</summary>
    public static async Task ServeAsync(HttpContext context, string? file)
    {
        var response = context.Response;
        if (string.IsNullOrEmpty(file) && !context.Request.Path.Value!.EndsWith('/'))
        {
            // The page's files are linked relative to it: /dashboard → /dashboard/, keeping ?code= (the Functions key).
            response.Redirect(context.Request.PathBase + context.Request.Path + "/" + context.Request.QueryString);
            return;
        }
        var name = string.IsNullOrEmpty(file) ? "index.html" : file;
        if (!Files.TryGetValue(name, out var content) || !ContentTypes.TryGetValue(Path.GetExtension(name), out var type))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        response.ContentType = type;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-cache";
        response.ContentLength = content.Length;
        await response.Body.WriteAsync(content, context.RequestAborted);
    }

    private static FrozenDictionary<string, byte[]> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[resource[ResourcePrefix.Length..]] = copy.ToArray();
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
