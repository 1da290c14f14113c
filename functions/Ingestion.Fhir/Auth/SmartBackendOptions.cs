namespace Ingestion.Fhir.Auth;

/// <summary>
/// SMART Backend Services client settings (bound from configuration section "Fhir:Smart"). The client
/// authenticates with a private-key JWT (RS384 or ES384) signed by a key registered with the server as a JWKS.
/// </summary>
public sealed class SmartBackendOptions
{
    public const string SectionName = "Fhir:Smart";

    /// <summary>The FHIR base URL; the token endpoint is discovered from its <c>.well-known/smart-configuration</c>.</summary>
    public Uri? FhirBaseUrl { get; set; }

    /// <summary>Overrides discovery when the server publishes no smart-configuration.</summary>
    public Uri? TokenUrl { get; set; }

    /// <summary>The client id the server registered (both <c>iss</c> and <c>sub</c> of the assertion).</summary>
    public string? ClientId { get; set; }

    /// <summary>The private key as PEM text (PKCS#8, PKCS#1 or SEC1). Either this or <see cref="Jwk"/>.</summary>
    public string? PrivateKeyPem { get; set; }

    /// <summary>The private key as a JWK (JSON text with the private members).</summary>
    public string? Jwk { get; set; }

    /// <summary>The key id (<c>kid</c>) registered in the JWKS; defaults to the JWK's own kid.</summary>
    public string? KeyId { get; set; }

    /// <summary>RS384 or ES384 (the two algorithms SMART Backend Services requires servers to support).</summary>
    public string Algorithm { get; set; } = "RS384";

    /// <summary>Requested scopes, space-separated.</summary>
    public string Scope { get; set; } = "system/*.read";

    /// <summary>Lifetime of each client assertion; SMART caps it at five minutes.</summary>
    public TimeSpan AssertionLifetime { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>A cached token is replaced this long before it expires, so no request goes out with a dying token.</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Allow an http:// token endpoint (local development server only).</summary>
    public bool AllowInsecureHttp { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
