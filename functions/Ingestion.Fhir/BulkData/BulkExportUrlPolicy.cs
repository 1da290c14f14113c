using System.Net;
using Ingestion.Fhir.Net;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// Decides which URLs the client may send requests (and possibly a bearer token) to: https only (http when
/// <see cref="BulkExportClientOptions.AllowInsecureHttp"/>), the FHIR base's origin or an allow-listed host, and never
/// a link-local or cloud metadata address, whatever the allow-list says. A manifest is server-supplied input;
/// following it blindly would let a compromised server aim the client at internal endpoints.
/// </summary>
public sealed class BulkExportUrlPolicy
{
    private static readonly string[] MetadataHosts = ["metadata.google.internal", "metadata.azure.internal", "metadata", "instance-data"];
    private readonly Uri _baseUrl;
    private readonly bool _allowInsecureHttp;
    private readonly HashSet<string> _allowedHosts;

    public BulkExportUrlPolicy(Uri baseUrl, bool allowInsecureHttp, IEnumerable<string> allowedHosts)
    {
        _baseUrl = baseUrl;
        _allowInsecureHttp = allowInsecureHttp;
        _allowedHosts = new HashSet<string>(allowedHosts.Select(h => h.Trim()).Where(h => h.Length > 0), StringComparer.OrdinalIgnoreCase);
        if (!IsAllowedScheme(baseUrl))
            throw new BulkExportUnsafeUrlException(UrlRedaction.Redact(baseUrl), "the FHIR base URL must be https (set Fhir:AllowInsecureHttp only for a local development server)");
    }

    /// <summary>Resolves <paramref name="url"/> (relative URLs against <paramref name="relativeTo"/>) and checks it, or throws <see cref="BulkExportUnsafeUrlException"/>.</summary>
    public Uri Check(string url, Uri? relativeTo = null)
    {
        // "/path" must resolve against the server, not parse as an absolute file:// URI (as it does on Unix).
        var rooted = url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal);
        if (rooted ? !Uri.TryCreate(relativeTo ?? _baseUrl, url, out var uri)
            : !Uri.TryCreate(url, UriKind.Absolute, out uri) && !Uri.TryCreate(relativeTo ?? _baseUrl, url, out uri))
            throw new BulkExportUnsafeUrlException(UrlRedaction.Redact(url), "it is not a valid URL");
        if (!IsAllowedScheme(uri))
            throw new BulkExportUnsafeUrlException(UrlRedaction.Redact(uri), _allowInsecureHttp ? "only http and https URLs are followed" : "it is not https");
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new BulkExportUnsafeUrlException(UrlRedaction.Redact(uri), "it carries user credentials (userinfo)", "Credentials never travel in a URL; remove them.");
        if (IsMetadataAddress(uri))
            throw new BulkExportUnsafeUrlException(UrlRedaction.Redact(uri), "it is a link-local or cloud metadata address");
        if (IsSameOrigin(uri) || _allowedHosts.Contains(uri.Host) || _allowedHosts.Contains(uri.Authority)) return uri;
        throw new BulkExportUnsafeUrlException(UrlRedaction.Redact(uri), $"its host is neither the FHIR server's ({_baseUrl.Authority}) nor allow-listed");
    }

    /// <summary>True when a bearer token for the FHIR server may be sent to <paramref name="uri"/>.</summary>
    public bool IsSameOrigin(Uri uri) =>
        string.Equals(uri.Scheme, _baseUrl.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.IdnHost, _baseUrl.IdnHost, StringComparison.OrdinalIgnoreCase)
        && uri.Port == _baseUrl.Port;

    private bool IsAllowedScheme(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps || (_allowInsecureHttp && uri.Scheme == Uri.UriSchemeHttp);

    /// <summary>
    /// Names and literals refused before any connection (the connect callback re-checks the resolved address, which
    /// also catches names that resolve there).
    /// </summary>
    private static bool IsMetadataAddress(Uri uri)
    {
        var host = uri.IdnHost.TrimEnd('.');
        if (MetadataHosts.Any(m => string.Equals(host, m, StringComparison.OrdinalIgnoreCase))) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && NetworkAddressPolicy.Refusal(ip, allowPrivateNetwork: true) is not null;
    }
}
