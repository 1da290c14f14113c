using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Ingestion.Serve;

/// <summary>
/// Entra ID bearer validation for serve (ASP.NET Core's JWT bearer handler): signature with the issuer's published
/// keys (from its OpenID metadata, refreshed as they rotate), exact issuer, audience, lifetime; app roles from the
/// <c>roles</c> claim. <see cref="ServeAccessMiddleware"/> calls the scheme and decides 401/403.
/// </summary>
internal static class ServeEntraAuthentication
{
    /// <summary>Refuses settings that would accept tokens nobody meant for this API, or fetch keys over plain http.</summary>
    public static void Check(ServeEntraOptions entra)
    {
        if (entra.Issuer is not { IsAbsoluteUri: true } issuer)
            throw new ServeConfigurationException("Serve:Entra:Issuer must be an absolute URL, e.g. https://login.microsoftonline.com/<tenant id>/v2.0.");
        if (string.IsNullOrWhiteSpace(entra.Audience))
            throw new ServeConfigurationException("Serve:Entra:Audience is required with Serve:Entra:Issuer (the API's application id URI, api://<client id>).");
        if (string.IsNullOrWhiteSpace(entra.OperatorRole))
            throw new ServeConfigurationException("Serve:Entra:OperatorRole may not be empty.");
        var metadata = entra.MetadataAddress ?? issuer;
        if (!entra.RequireHttpsMetadata && !(IsLoopback(issuer) && IsLoopback(metadata)))
            throw new ServeConfigurationException("Serve:Entra:RequireHttpsMetadata may be false only for an issuer on a loopback address.");
        if (entra.RequireHttpsMetadata && (issuer.Scheme != Uri.UriSchemeHttps || metadata.Scheme != Uri.UriSchemeHttps))
            throw new ServeConfigurationException("Serve:Entra:Issuer and its metadata must be https.");
    }

    public static void Add(IServiceCollection services, ServeEntraOptions entra)
    {
        var issuer = entra.Issuer!.OriginalString.TrimEnd('/');
        services.AddAuthentication().AddJwtBearer(ServeEntraOptions.Scheme, jwt =>
        {
            jwt.Authority = issuer;
            jwt.MetadataAddress = entra.MetadataAddress?.AbsoluteUri ?? issuer + "/.well-known/openid-configuration";
            jwt.RequireHttpsMetadata = entra.RequireHttpsMetadata;
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = issuer,
                ValidAudience = entra.Audience,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ClockSkew = TimeSpan.FromMinutes(2),
                RoleClaimType = "roles",
                // The audit trail's actor: the caller's object id in the tenant (user or service principal).
                NameClaimType = "oid",
            };
        });
    }

    private static bool IsLoopback(Uri uri) => uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
