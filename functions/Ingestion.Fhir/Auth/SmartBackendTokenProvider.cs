using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ingestion.Fhir.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Ingestion.Fhir.Auth;

/// <summary>
/// SMART Backend Services (client-credentials with a private-key JWT): discovers the token endpoint, signs a
/// one-time assertion (kid always, unique jti, exp at most five minutes ahead) and caches the access token until
/// shortly before it expires. Concurrent callers share one token request. The endpoint is called over the handler
/// <see cref="FhirHttpHandlerFactory"/> builds; 5xx/429/408, timeouts and unreachable endpoints are retried (each
/// attempt with a fresh assertion), a refusal (4xx) is not. Tokens and keys never appear in messages.
/// </summary>
public sealed class SmartBackendTokenProvider : IAccessTokenProvider, IDisposable
{
    private static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromMinutes(5);
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly SmartBackendOptions _options;
    private readonly SigningCredentials _credentials;
    private readonly JsonWebTokenHandler _jwt = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Uri? _tokenUrl;
    private CachedToken? _token;

    public SmartBackendTokenProvider(SmartBackendOptions options)
        : this(CreateHandler(options), options)
    {
    }

    /// <summary>For tests that script the endpoint with an in-memory handler; production code cannot pick the handler.</summary>
    internal SmartBackendTokenProvider(HttpMessageHandler handler, SmartBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ClientId)) throw new SmartAuthenticationException("Fhir:Smart:ClientId is not set: give the client id the FHIR server registered.");
        if (options.TokenUrl is null && options.FhirBaseUrl is null) throw new SmartAuthenticationException("Set Fhir:Smart:FhirBaseUrl (to discover the token endpoint) or Fhir:Smart:TokenUrl.");
        _http = new HttpClient(new FhirHttpSpanHandler(handler), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _options = options;
        _retry = BuildRetry(options);
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
        // SMART: exp no more than five minutes after the assertion is made, whatever the configuration says.
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
            AdditionalHeaderClaims = _options.JwksUrl is { } jku ? new Dictionary<string, object> { ["jku"] = jku.AbsoluteUri } : null,
        });
    }

    private async Task<CachedToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var tokenUrl = await TokenEndpointAsync(cancellationToken).ConfigureAwait(false);
        var where = UrlRedaction.Redact(tokenUrl);
        var requestedAt = _options.TimeProvider.GetUtcNow();
        // Each attempt signs a new assertion: a jti may be used once only.
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["scope"] = _options.Scope,
                    ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ["client_assertion"] = CreateClientAssertion(tokenUrl),
                }),
            };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            return request;
        }, "token", "token endpoint", tokenUrl, cancellationToken).ConfigureAwait(false);
        using var json = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var root = json?.RootElement;
        if (IsTransient(response.StatusCode))
        {
            throw new SmartAuthenticationException(
                $"The token endpoint {where} kept failing for {Math.Max(1, _options.MaxAttempts)} attempts; the server is unavailable, try again later.",
                response.StatusCode, GetString(root, "error"), GetString(root, "error_description"));
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new SmartAuthenticationException(
                $"The token endpoint {where} refused the client. Check the client id, that the server holds this key's public JWKS (kid, algorithm) and the scopes.",
                response.StatusCode, GetString(root, "error"), GetString(root, "error_description"));
        }
        var token = GetString(root, "access_token")
            ?? throw new SmartAuthenticationException($"The token endpoint {where} answered without an access_token.", response.StatusCode);
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
        CheckScheme(discovery);
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, discovery);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            return request;
        }, "smart-configuration", "smart-configuration", discovery, cancellationToken).ConfigureAwait(false);
        using var json = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var endpoint = response.IsSuccessStatusCode ? GetString(json?.RootElement, "token_endpoint") : null;
        if (endpoint is null || !Uri.TryCreate(endpoint, UriKind.Absolute, out var tokenUrl))
            throw new SmartAuthenticationException($"{UrlRedaction.Redact(discovery)} gave no token_endpoint; set Fhir:Smart:TokenUrl explicitly.", response.StatusCode);
        _tokenUrl = tokenUrl;
        return CheckScheme(tokenUrl);
    }

    private Uri CheckScheme(Uri url) =>
        url.Scheme == Uri.UriSchemeHttps || (_options.AllowInsecureHttp && url.Scheme == Uri.UriSchemeHttp)
            ? url
            : throw new SmartAuthenticationException($"Refusing to send a client assertion to {UrlRedaction.Redact(url)}: it is not https (Fhir:Smart:AllowInsecureHttp is for local development only).");

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, string operation, string what, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(static async (state, ct) =>
            {
                using var request = state.build();
                request.Options.Set(FhirHttpTelemetry.Operation, state.operation);
                return await state.self._http.SendAsync(request, ct).ConfigureAwait(false);
            }, (self: this, build, operation), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (RefusedAddressException.Find(e) is { } refused)
        {
            throw new SmartAuthenticationException($"Refusing to contact the {what} at {UrlRedaction.Redact(url)}: its host resolves to {refused.Reason} (Fhir:Smart:AllowPrivateNetwork allows a private network).", innerException: e);
        }
        catch (HttpRequestException e)
        {
            throw new SmartAuthenticationException($"The {what} at {UrlRedaction.Redact(url)} could not be reached after {Math.Max(1, _options.MaxAttempts)} attempts ({e.HttpRequestError}); check the URL and the network.", innerException: e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new SmartAuthenticationException($"The {what} at {UrlRedaction.Redact(url)} did not answer within {_options.RequestTimeout} ({Math.Max(1, _options.MaxAttempts)} attempts).", innerException: e);
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static SocketsHttpHandler CreateHandler(SmartBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return FhirHttpHandlerFactory.Create(new FhirHttpHandlerOptions { AllowPrivateNetwork = options.AllowPrivateNetwork });
    }

    /// <summary>The token endpoint's one retry policy: transient statuses, timeouts and unreachable endpoints, with backoff or Retry-After.</summary>
    private static ResiliencePipeline<HttpResponseMessage> BuildRetry(SmartBackendOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBackoffBase,
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>(e => RefusedAddressException.Find(e) is null)
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => IsTransient(r.StatusCode)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result is { } r && RetryAfterHeader.Read(r.Headers, options.TimeProvider.GetUtcNow()) is { } wait
                        ? (TimeSpan?)(wait > TimeSpan.FromSeconds(60) ? TimeSpan.FromSeconds(60) : wait)
                        : null),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }
        builder.AddTimeout(options.RequestTimeout);
        return builder.Build();
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

    public void Dispose()
    {
        _gate.Dispose();
        _http.Dispose();
    }

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt);
}
