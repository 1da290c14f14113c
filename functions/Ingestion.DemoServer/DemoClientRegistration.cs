using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Ingestion.DemoServer;

/// <summary>A SMART Backend Services client: its id and its public keys as a JWKS document (JSON text).</summary>
public sealed record DemoClientRegistration(string ClientId, string Jwks)
{
    /// <summary>Registers the public half of an RSA key (RS384), under key id <paramref name="keyId"/>.</summary>
    public static DemoClientRegistration FromRsa(string clientId, RSA key, string keyId)
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.ExportParameters(false)));
        return new(clientId, ToJwks(new Dictionary<string, string?>
        {
            ["kty"] = "RSA", ["kid"] = keyId, ["alg"] = "RS384", ["use"] = "sig", ["n"] = jwk.N, ["e"] = jwk.E,
        }));
    }

    /// <summary>Registers the public half of a P-384 EC key (ES384), under key id <paramref name="keyId"/>.</summary>
    public static DemoClientRegistration FromECDsa(string clientId, ECDsa key, string keyId)
    {
        var p = key.ExportParameters(false);
        return new(clientId, ToJwks(new Dictionary<string, string?>
        {
            ["kty"] = "EC", ["kid"] = keyId, ["alg"] = "ES384", ["use"] = "sig", ["crv"] = "P-384",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
        }));
    }

    private static string ToJwks(Dictionary<string, string?> key) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["keys"] = new[] { key } });
}
