using System.Net;
using System.Net.Sockets;

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
            throw new BulkExportUnsafeUrlException(baseUrl.AbsoluteUri, "the FHIR base URL must be https (set Fhir:AllowInsecureHttp only for a local development server)");
    }

    /// <summary>Resolves <paramref name="url"/> (relative URLs against <paramref name="relativeTo"/>) and checks it, or throws <see cref="BulkExportUnsafeUrlException"/>.</summary>
    public Uri Check(string url, Uri? relativeTo = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) && !Uri.TryCreate(relativeTo ?? _baseUrl, url, out uri))
            throw new BulkExportUnsafeUrlException(url, "it is not a valid URL");
        if (!IsAllowedScheme(uri))
            throw new BulkExportUnsafeUrlException(uri.AbsoluteUri, _allowInsecureHttp ? "only http and https URLs are followed" : "it is not https");
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new BulkExportUnsafeUrlException(uri.GetLeftPart(UriPartial.Scheme) + uri.Host, "it carries user credentials");
        if (IsMetadataAddress(uri))
            throw new BulkExportUnsafeUrlException(uri.AbsoluteUri, "it is a link-local or cloud metadata address");
        if (IsSameOrigin(uri) || _allowedHosts.Contains(uri.Host) || _allowedHosts.Contains(uri.Authority)) return uri;
        throw new BulkExportUnsafeUrlException(uri.AbsoluteUri, $"its host is neither the FHIR server's ({_baseUrl.Authority}) nor allow-listed");
    }

    /// <summary>True when a bearer token for the FHIR server may be sent to <paramref name="uri"/>.</summary>
    public bool IsSameOrigin(Uri uri) =>
        string.Equals(uri.Scheme, _baseUrl.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.IdnHost, _baseUrl.IdnHost, StringComparison.OrdinalIgnoreCase)
        && uri.Port == _baseUrl.Port;

    private bool IsAllowedScheme(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps || (_allowInsecureHttp && uri.Scheme == Uri.UriSchemeHttp);

    private static bool IsMetadataAddress(Uri uri)
    {
        var host = uri.IdnHost.TrimEnd('.');
        if (MetadataHosts.Any(m => string.Equals(host, m, StringComparison.OrdinalIgnoreCase))) return true;
        if (!IPAddress.TryParse(host.Trim('[', ']'), out var ip)) return false;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            // 169.254.0.0/16 link-local (AWS/Azure/GCP metadata), 100.100.100.200 (Alibaba), 0.0.0.0/8.
            return (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] == 100 && b[2] == 100 && b[3] == 200) || b[0] == 0;
        }
        // fe80::/10 link-local and fd00:ec2::254 (AWS IMDS over IPv6).
        return ip.IsIPv6LinkLocal || ip.Equals(IPAddress.Parse("fd00:ec2::254"));
    }
}
