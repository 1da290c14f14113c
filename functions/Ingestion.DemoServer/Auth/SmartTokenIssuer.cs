using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ingestion.DemoServer;

/// <summary>
/// SMART Backend Services authorization: the token endpoint (client_credentials with a private-key JWT
/// client assertion, RS384 or ES384) and bearer validation. Tokens are opaque random strings held in memory.
/// </summary>
internal sealed class SmartTokenIssuer
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    public static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha384, SecurityAlgorithms.EcdsaSha384];
    public static readonly string[] SupportedScopes = ["system/*.read", "system/*.rs"];
    private static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, JsonWebKeySet> _clients;
    private readonly TimeSpan _tokenLifetime;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _usedJti = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new();
    private readonly ConcurrentQueue<string> _credentialsSeen = new();

    public SmartTokenIssuer(IReadOnlyList<DemoClientRegistration> clients, TimeSpan tokenLifetime, TimeProvider time)
    {
        _clients = clients.ToDictionary(c => c.ClientId, ParseJwks, StringComparer.Ordinal);
        _tokenLifetime = tokenLifetime;
        _time = time;
    }

    private static JsonWebKeySet ParseJwks(DemoClientRegistration client)
    {
        try
        {
            var set = new JsonWebKeySet(client.Jwks);
            if (set.Keys.Count == 0) throw new ArgumentException("no keys");
            return set;
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException)
        {
            throw new ArgumentException($"Client '{client.ClientId}': Jwks is not a JSON Web Key Set with at least one key.", e);
        }
    }

    /// <summary>POST [token endpoint] (application/x-www-form-urlencoded).</summary>
    public async Task HandleTokenRequestAsync(HttpContext context, Uri tokenUrl)
    {
        if (!context.Request.HasFormContentType)
        {
            await ErrorAsync(context, "invalid_request", "The token request must be application/x-www-form-urlencoded.");
            return;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form["client_assertion"].ToString() is { Length: > 0 } presented) _credentialsSeen.Enqueue(presented);
        if (form["grant_type"] != "client_credentials")
        {
            await ErrorAsync(context, "unsupported_grant_type", "grant_type must be client_credentials.");
            return;
        }
        if (form["client_assertion_type"] != AssertionType)
        {
            await ErrorAsync(context, "invalid_request", $"client_assertion_type must be {AssertionType}.");
            return;
        }
        var granted = GrantScopes(form["scope"].ToString());
        if (granted.Count == 0)
        {
            await ErrorAsync(context, "invalid_scope", $"Request at least one of: {string.Join(" ", SupportedScopes)} (or system/<Type>.read|rs).");
            return;
        }
        var failure = await ValidateAssertionAsync(form["client_assertion"].ToString(), tokenUrl);
        if (failure is not null)
        {
            await ErrorAsync(context, "invalid_client", failure, StatusCodes.Status401Unauthorized);
            return;
        }

        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var now = _time.GetUtcNow();
        foreach (var (issued, held) in _tokens)
            if (held.Expires <= now) _tokens.TryRemove(issued, out _);
        _tokens[token] = new IssuedToken(now + _tokenLifetime, granted);
        _credentialsSeen.Enqueue(token);
        context.Response.Headers.CacheControl = "no-store";
        await FhirResponses.JsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("access_token", token);
            json.WriteString("token_type", "bearer");
            json.WriteNumber("expires_in", (long)_tokenLifetime.TotalSeconds);
            json.WriteString("scope", string.Join(' ', granted));
            json.WriteEndObject();
        }, "application/json");
    }

    /// <summary>Every client assertion received and access token issued (secret-scan tests look for them in a client's output).</summary>
    public IReadOnlyCollection<string> CredentialsSeen => _credentialsSeen.ToArray();

    /// <summary>True when the request carries a bearer token this server issued and that has not expired.</summary>
    public bool IsAuthorized(HttpRequest request) => Current(request) is not null;

    /// <summary>
    /// The resource types the request's token may export: null when a <c>system/*</c> scope was granted, else the
    /// types of its <c>system/Type.read</c> (or rs/r/s) scopes, so <c>system/Patient.read</c> exports Patient only.
    /// </summary>
    public IReadOnlySet<string>? PermittedTypes(HttpRequest request)
    {
        var token = Current(request);
        if (token is null) return new HashSet<string>();
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scope in token.Scopes)
        {
            var type = scope["system/".Length..scope.LastIndexOf('.')];
            if (type == "*") return null;
            types.Add(type);
        }
        return types;
    }

    private IssuedToken? Current(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = header["Bearer ".Length..].Trim();
        return _tokens.TryGetValue(token, out var held) && held.Expires > _time.GetUtcNow() ? held : null;
    }

    private async Task<string?> ValidateAssertionAsync(string assertion, Uri tokenUrl)
    {
        if (string.IsNullOrEmpty(assertion)) return "client_assertion is missing.";
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(assertion);
        }
        catch (ArgumentException)
        {
            return "client_assertion is not a JWT.";
        }
        if (!_clients.TryGetValue(jwt.Issuer, out var keys)) return "Unknown client (iss is not a registered client id).";
        if (jwt.Subject != jwt.Issuer) return "sub must equal iss (the client id).";
        if (!Algorithms.Contains(jwt.Alg)) return "Unsupported signing algorithm: use RS384 or ES384.";

        var now = _time.GetUtcNow();
        var result = await _handler.ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = tokenUrl.ToString(),
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAlgorithms = Algorithms,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = ClockSkew,
            LifetimeValidator = (_, expires, _, _) => expires is { } e && e > now.UtcDateTime - ClockSkew,
        });
        if (!result.IsValid)
        {
            return result.Exception switch
            {
                SecurityTokenInvalidAudienceException => "aud must be the token endpoint URL.",
                SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException => "The client assertion has expired.",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The client assertion signature does not verify against the registered JWKS.",
                _ => "The client assertion is invalid.",
            };
        }
        if (jwt.ValidTo > now.UtcDateTime + MaxAssertionLifetime + ClockSkew) return "exp must be at most 5 minutes in the future.";
        if (string.IsNullOrEmpty(jwt.Id)) return "jti is required.";
        // Replay protection: a jti is remembered until its assertion expires.
        foreach (var (jti, expires) in _usedJti)
            if (expires < now) _usedJti.TryRemove(jti, out _);
        if (!_usedJti.TryAdd(jwt.Issuer + "|" + jwt.Id, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + ClockSkew))
            return "jti has already been used (replayed client assertion).";
        return null;
    }

    private static List<string> GrantScopes(string requested)
    {
        var granted = new List<string>();
        foreach (var scope in requested.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // system/<Type or *>.<read | rs | r | s>; anything else is ignored (not granted).
            if (!scope.StartsWith("system/", StringComparison.Ordinal)) continue;
            var dot = scope.LastIndexOf('.');
            if (dot < "system/".Length + 1) continue;
            var permission = scope[(dot + 1)..];
            if (permission is "read" or "rs" or "r" or "s") granted.Add(scope);
        }
        return granted;
    }

    private sealed record IssuedToken(DateTimeOffset Expires, IReadOnlyList<string> Scopes);

    private static Task ErrorAsync(HttpContext context, string error, string description, int status = StatusCodes.Status400BadRequest) =>
        FhirResponses.JsonAsync(context, status, json =>
        {
            json.WriteStartObject();
            json.WriteString("error", error);
            json.WriteString("error_description", description);
            json.WriteEndObject();
        }, "application/json");
}
