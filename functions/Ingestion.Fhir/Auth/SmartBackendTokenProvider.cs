using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ingestion.Fhir.Auth;

/// <summary>
/// SMART Backend Services (client-credentials with a private-key JWT): discovers the token endpoint, signs a
/// one-time assertion (unique jti, exp at most five minutes ahead) and caches the access token until shortly before
/// it expires. Concurrent callers share one token request.
/// </summary>
public sealed class SmartBackendTokenProvider : IAccessTokenProvider, IDisposable
{
    private static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromMinutes(5);
    private readonly HttpClient _http;
    private readonly SmartBackendOptions _options;
    private readonly SigningCredentials _credentials;
    private readonly JsonWebTokenHandler _jwt = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Uri? _tokenUrl;
    private CachedToken? _token;

    public SmartBackendTokenProvider(HttpClient httpClient, SmartBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ClientId)) throw new SmartAuthenticationException("Fhir:Smart:ClientId is not set: give the client id the FHIR server registered.");
        if (options.TokenUrl is null && options.FhirBaseUrl is null) throw new SmartAuthenticationException("Set Fhir:Smart:FhirBaseUrl (to discover the token endpoint) or Fhir:Smart:TokenUrl.");
        _http = httpClient;
        _options = options;
        _credentials = SmartSigningKey.Load(options);
        _tokenUrl = options.TokenUrl;
    }

    /// <summary>Access tokens obtained so far (reports and tests: a refresh mid-export shows here).</summary>
    public int TokensIssued { get; private set; }

    public async ValueTask<string> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var seen = _token;
        if (!forceRefresh && seen is not null && _options.TimeProvider.GetUtcNow() < seen.RefreshAt) return seen.Value;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _token;
            // Another caller refreshed while we waited: use its token instead of asking again.
            if (current is not null && !ReferenceEquals(current, seen) && _options.TimeProvider.GetUtcNow() < current.RefreshAt) return current.Value;
            if (!forceRefresh && current is not null && _options.TimeProvider.GetUtcNow() < current.RefreshAt) return current.Value;
            _token = await RequestTokenAsync(cancellationToken).ConfigureAwait(false);
            TokensIssued++;
            return _token.Value;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Signs a client assertion for the token endpoint (public for tests and diagnostics).</summary>
    public string CreateClientAssertion(Uri tokenUrl)
    {
        var now = _options.TimeProvider.GetUtcNow().UtcDateTime;
        var lifetime = _options.AssertionLifetime > MaxAssertionLifetime ? MaxAssertionLifetime : _options.AssertionLifetime;
        return _jwt.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.ClientId,
            Audience = tokenUrl.AbsoluteUri,
            IssuedAt = now,
            Expires = now + lifetime,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = _options.ClientId!,
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            TokenType = "JWT",
            SigningCredentials = _credentials,
        });
    }

    private async Task<CachedToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var tokenUrl = await TokenEndpointAsync(cancellationToken).ConfigureAwait(false);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = _options.Scope,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = CreateClientAssertion(tokenUrl),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl) { Content = form };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var requestedAt = _options.TimeProvider.GetUtcNow();
        using var response = await SendAsync(request, "token endpoint", cancellationToken).ConfigureAwait(false);
        using var json = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var root = json?.RootElement;
        if (!response.IsSuccessStatusCode)
        {
            throw new SmartAuthenticationException(
                $"The token endpoint {tokenUrl} refused the client. Check the client id, that the server holds this key's public JWKS (kid, algorithm) and the scopes.",
                response.StatusCode, GetString(root, "error"), GetString(root, "error_description"));
        }
        var token = GetString(root, "access_token")
            ?? throw new SmartAuthenticationException($"The token endpoint {tokenUrl} answered without an access_token.", response.StatusCode);
        var expiresIn = root is { } r && r.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) ? seconds : 300;
        var expiresAt = requestedAt + TimeSpan.FromSeconds(expiresIn);
        // Refresh early, but never sooner than half the token's life (short-lived tokens must still be reused).
        var early = TimeSpan.FromTicks(Math.Min(_options.RefreshBeforeExpiry.Ticks, TimeSpan.FromSeconds(expiresIn).Ticks / 2));
        return new CachedToken(token, expiresAt - early);
    }

    private async Task<Uri> TokenEndpointAsync(CancellationToken cancellationToken)
    {
        if (_tokenUrl is not null) return CheckScheme(_tokenUrl);
        var baseText = _options.FhirBaseUrl!.AbsoluteUri;
        var discovery = new Uri(baseText.TrimEnd('/') + "/.well-known/smart-configuration");
        using var request = new HttpRequestMessage(HttpMethod.Get, CheckScheme(discovery));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await SendAsync(request, "smart-configuration", cancellationToken).ConfigureAwait(false);
        using var json = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var endpoint = response.IsSuccessStatusCode ? GetString(json?.RootElement, "token_endpoint") : null;
        if (endpoint is null || !Uri.TryCreate(endpoint, UriKind.Absolute, out var tokenUrl))
            throw new SmartAuthenticationException($"{discovery} gave no token_endpoint; set Fhir:Smart:TokenUrl explicitly.", response.StatusCode);
        _tokenUrl = tokenUrl;
        return CheckScheme(tokenUrl);
    }

    private Uri CheckScheme(Uri url) =>
        url.Scheme == Uri.UriSchemeHttps || (_options.AllowInsecureHttp && url.Scheme == Uri.UriSchemeHttp)
            ? url
            : throw new SmartAuthenticationException($"Refusing to send a client assertion to {url}: it is not https (Fhir:Smart:AllowInsecureHttp is for local development only).");

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new SmartAuthenticationException($"The {what} at {request.RequestUri} could not be reached; check the URL and the network.", innerException: e);
        }
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? GetString(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public void Dispose() => _gate.Dispose();

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt);
}
