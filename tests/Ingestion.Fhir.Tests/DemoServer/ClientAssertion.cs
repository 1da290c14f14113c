using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ingestion.Fhir.Tests.DemoServer;

/// <summary>Builds SMART Backend Services client assertions (private-key JWTs) for the token endpoint tests.</summary>
internal static class ClientAssertion
{
    public static string Create(SecurityKey key, string algorithm, string clientId, string audience,
        TimeSpan? expiresIn = null, string? jti = null, string? subject = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(4));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject ?? clientId), new Claim("jti", jti ?? Guid.NewGuid().ToString())]),
            IssuedAt = expires < now ? expires - TimeSpan.FromMinutes(1) : now,
            NotBefore = expires < now ? expires - TimeSpan.FromMinutes(1) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }

    public static FormUrlEncodedContent Form(string assertion, string scope = "system/*.read") => new(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
        ["scope"] = scope,
    });
}
