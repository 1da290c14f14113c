using System.Security.Claims;
using System.Security.Cryptography;
using Ingestion.Testing.StandIns;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ingestion.Functions.Tests.Serve;

/// <summary>
/// An OpenID Connect issuer on 127.0.0.1 standing where Entra ID would be: its metadata document and JWKS (one RSA
/// signing key), and tokens signed with that key (or another one) with the claims a test chooses.
/// </summary>
internal sealed class LoopbackIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly RsaSecurityKey _signingKey;

    private LoopbackIssuer(WebApplication app, Uri issuer, RsaSecurityKey signingKey)
    {
        _app = app;
        Issuer = issuer;
        _signingKey = signingKey;
    }

    public Uri Issuer { get; }

    public static async Task<LoopbackIssuer> StartAsync()
    {
        var port = StandInProcess.FreePort();
        var issuer = new Uri($"http://127.0.0.1:{port}/tenant-1/v2.0");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var rsa = RSA.Create(2048);
        var signingKey = new RsaSecurityKey(rsa) { KeyId = "test-signing-key" };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = signingKey.KeyId });
        app.MapGet("/tenant-1/v2.0/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer.AbsoluteUri.TrimEnd('/'),
            ["jwks_uri"] = $"http://127.0.0.1:{port}/tenant-1/discovery/v2.0/keys",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/tenant-1/discovery/v2.0/keys", () => Results.Json(new { keys = new[] { new { kty = jwk.Kty, use = "sig", kid = jwk.Kid, n = jwk.N, e = jwk.E } } }));
        await app.StartAsync();
        return new LoopbackIssuer(app, issuer, signingKey);
    }

    /// <summary>A token; by default from this issuer, for <paramref name="audience"/>, valid for an hour, signed with the published key.</summary>
    public string Token(string audience, string[] roles, string? issuer = null, DateTime? expires = null, bool foreignKey = false)
    {
        var claims = new List<Claim> { new("oid", "operator-object-id"), new("sub", "operator") };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        var notBefore = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer.AbsoluteUri.TrimEnd('/'),
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(foreignKey ? new RsaSecurityKey(_key) { KeyId = _signingKey.KeyId } : _signingKey, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Dispose();
    }
}
