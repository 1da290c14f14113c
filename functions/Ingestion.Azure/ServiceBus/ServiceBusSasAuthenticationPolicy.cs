using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Ingestion.Azure.ServiceBus;

/// <summary>
/// Authorization: SharedAccessSignature sr={resource}&amp;sig={signature}&amp;se={expiry}&amp;skn={keyName}, where
/// signature = base64(HMAC-SHA256(key, resource + "\n" + expiry)), resource = the URL-encoded entity URI and expiry
/// in Unix seconds. Tokens are cached per resource until a fifth of their lifetime remains.
/// </summary>
public sealed class ServiceBusSasAuthenticationPolicy(string keyName, string key, TimeSpan lifetime, TimeProvider timeProvider) : HttpPipelineSynchronousPolicy
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);
    private readonly Lock _gate = new();
    private (string Resource, string Token, DateTimeOffset RenewAt)? _cached;

    public override void OnSendingRequest(HttpMessage message)
    {
        var uri = message.Request.Uri.ToUri();
        // The token is scoped to the entity (not the /messages endpoint).
        var path = uri.AbsolutePath.EndsWith("/messages", StringComparison.Ordinal) ? uri.AbsolutePath[..^"/messages".Length] : uri.AbsolutePath;
        var resource = $"{uri.Scheme}://{uri.Authority}{path}";
        message.Request.Headers.SetValue("Authorization", TokenFor(resource));
    }

    private string TokenFor(string resource)
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (_cached is { } cached && cached.Resource == resource && now < cached.RenewAt) return cached.Token;
            var token = CreateToken(resource, keyName, _key, now + lifetime);
            _cached = (resource, token, now + lifetime * 0.8);
            return token;
        }
    }

    /// <summary>The documented token format; public so tests can check a token independently.</summary>
    public static string CreateToken(string resourceUri, string keyName, byte[] key, DateTimeOffset expiresOn)
    {
        var encodedResource = Uri.EscapeDataString(resourceUri);
        var expiry = expiresOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(encodedResource + "\n" + expiry)));
        return $"SharedAccessSignature sr={encodedResource}&sig={Uri.EscapeDataString(signature)}&se={expiry}&skn={Uri.EscapeDataString(keyName)}";
    }
}
