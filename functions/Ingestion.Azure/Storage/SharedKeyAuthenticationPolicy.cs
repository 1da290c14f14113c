using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Ingestion.Azure.Storage;

/// <summary>
/// Signs each request (each retry too: the signature covers x-ms-date) with the storage Shared Key scheme for
/// Blob and Queue, version 2009-09-19 and later:
/// StringToSign = VERB \n Content-Encoding \n Content-Language \n Content-Length \n Content-MD5 \n Content-Type \n
/// Date \n If-Modified-Since \n If-Match \n If-None-Match \n If-Unmodified-Since \n Range \n
/// CanonicalizedHeaders CanonicalizedResource.
/// </summary>
public sealed class SharedKeyAuthenticationPolicy(StorageSharedKeyCredential credential) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture));
        var signature = credential.ComputeSignature(BuildStringToSign(request, credential.AccountName));
        request.Headers.SetValue("Authorization", $"SharedKey {credential.AccountName}:{signature}");
    }

    /// <summary>The exact string the service signs; public so tests can check it against documented examples.</summary>
    public static string BuildStringToSign(Request request, string accountName)
    {
        var builder = new StringBuilder(256);
        builder.Append(request.Method.Method.ToUpperInvariant()).Append('\n');
        builder.Append(Header(request, "Content-Encoding")).Append('\n');
        builder.Append(Header(request, "Content-Language")).Append('\n');
        // A zero-length body is signed with an empty Content-Length (version 2015-02-21 and later).
        long length = 0;
        var hasLength = request.Content is not null && request.Content.TryComputeLength(out length);
        builder.Append(hasLength && length > 0 ? length.ToString(CultureInfo.InvariantCulture) : string.Empty).Append('\n');
        builder.Append(Header(request, "Content-MD5")).Append('\n');
        builder.Append(Header(request, "Content-Type")).Append('\n');
        builder.Append('\n'); // Date: x-ms-date is used instead.
        builder.Append(Header(request, "If-Modified-Since")).Append('\n');
        builder.Append(Header(request, "If-Match")).Append('\n');
        builder.Append(Header(request, "If-None-Match")).Append('\n');
        builder.Append(Header(request, "If-Unmodified-Since")).Append('\n');
        builder.Append(Header(request, "Range")).Append('\n');

        var msHeaders = new List<KeyValuePair<string, string>>();
        foreach (var header in request.Headers)
        {
            if (header.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                msHeaders.Add(new(header.Name.ToLowerInvariant(), header.Value.Trim()));
        }
        msHeaders.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var (name, value) in msHeaders) builder.Append(name).Append(':').Append(value).Append('\n');

        var uri = request.Uri.ToUri();
        // Path-style URLs (Azurite, http://host:port/account/container/blob) carry the account in the path too,
        // so the canonicalized resource then names it twice: /account/account/container/blob.
        builder.Append('/').Append(accountName).Append(uri.AbsolutePath);

        var query = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(separator < 0 ? pair : pair[..separator]).ToLowerInvariant();
            var value = separator < 0 ? string.Empty : Uri.UnescapeDataString(pair[(separator + 1)..]);
            if (!query.TryGetValue(name, out var values)) query[name] = values = [];
            values.Add(value);
        }
        foreach (var (name, values) in query)
        {
            values.Sort(StringComparer.Ordinal);
            builder.Append('\n').Append(name).Append(':').Append(string.Join(',', values));
        }
        return builder.ToString();
    }

    private static string Header(Request request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value : string.Empty;
}
