using System.Text.RegularExpressions;

namespace Ingestion.Fhir.Net;

/// <summary>
/// The one way a URL is written into a message, log, run state or catalog record: scheme, host, port and path only.
/// Query strings carry signatures (<c>?sig=</c>, SAS tokens) and userinfo carries passwords; fragments are dropped too.
/// </summary>
public static partial class UrlRedaction
{
    /// <summary>Marker left where a query string was removed, so a reader can tell the URL was cut.</summary>
    public const string QueryMarker = "?…";

    public static string Redact(Uri? url)
    {
        if (url is null) return "(none)";
        if (!url.IsAbsoluteUri) return RedactRelative(url.OriginalString);
        var text = url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        return string.IsNullOrEmpty(url.Query) ? text : text + QueryMarker;
    }

    public static string Redact(string? url)
    {
        if (string.IsNullOrEmpty(url)) return "(none)";
        // "/path?x" parses as an absolute file:// URI on Unix (with the query folded into the path): treat it as relative.
        return !url.StartsWith('/') && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Redact(uri) : RedactRelative(url);
    }

    /// <summary>Redacts every http(s) URL inside free text (e.g. a server-authored diagnostic that quotes one).</summary>
    public static string RedactIn(string? text) =>
        string.IsNullOrEmpty(text) ? text ?? "" : EmbeddedUrl().Replace(text, m => Redact(m.Value));

    private static string RedactRelative(string url)
    {
        var cut = url.IndexOfAny(['?', '#']);
        return cut < 0 ? url : url[..cut] + QueryMarker;
    }

    [GeneratedRegex(@"https?://[^\s""'<>]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EmbeddedUrl();
}
