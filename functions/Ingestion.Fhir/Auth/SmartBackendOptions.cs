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

    /// <summary>
    /// The key id (<c>kid</c>) registered in the JWKS; defaults to the JWK's own kid, else the key's RFC 7638 JWK
    /// thumbprint (SMART requires a kid on every assertion).
    /// </summary>
    public string? KeyId { get; set; }

    /// <summary>Optional <c>jku</c> header: the https URL where the server fetches this client's JWKS.</summary>
    public Uri? JwksUrl { get; set; }

    /// <summary>RS384 or ES384 (the two algorithms SMART Backend Services requires servers to support).</summary>
    public string Algorithm { get; set; } = "RS384";

    /// <summary>Requested scopes, space-separated.</summary>
    public string Scope { get; set; } = "system/*.read";

    /// <summary>Lifetime of each client assertion; SMART caps it at five minutes, and so does the client whatever this says.</summary>
    public TimeSpan AssertionLifetime { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>A cached token is replaced this long before it expires, so no request goes out with a dying token.</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Allow an http:// token endpoint (local development server only).</summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>Allow a token endpoint on loopback or a private network (an on-premises EHR, the demo server, tests).</summary>
    public bool AllowPrivateNetwork { get; set; }

    /// <summary>Timeout of one token or discovery request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests made for one token (first one included) when the endpoint answers 5xx/429/408, times out or cannot be reached.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>First backoff between token attempts without Retry-After; doubles per attempt, with jitter, up to 30 s.</summary>
    public TimeSpan RetryBackoffBase { get; set; } = TimeSpan.FromSeconds(1);

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
