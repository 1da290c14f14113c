using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Web;
using Ingestion.Fhir.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ingestion.Fhir.Tests.BulkData;

public class SmartBackendTokenProviderTests
{
    private const string Base = "https://fhir.test/r4/";
    private const string TokenUrl = "https://auth.fhir.test/token";
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    /// <summary>A token endpoint that validates the client assertion like a SMART server would.</summary>
    private sealed class TokenEndpoint
    {
        private readonly HashSet<string> _jtis = [];
        public SecurityKey? PublicKey { get; init; }
        public string Algorithm { get; init; } = SecurityAlgorithms.RsaSha384;
        public int ExpiresIn { get; init; } = 300;
        public List<JsonWebToken> Assertions { get; } = [];
        public List<IDictionary<string, string>> Forms { get; } = [];
        public int Issued;
        public ManualClock Clock { get; init; } = new(Start);

        public HttpResponseMessage Handle(FakeFhirHandler.Request request)
        {
            if (request.Url.AbsolutePath == "/r4/.well-known/smart-configuration")
                return FakeFhirHandler.Json(HttpStatusCode.OK, $$"""{"token_endpoint":"{{TokenUrl}}","token_endpoint_auth_methods_supported":["private_key_jwt"]}""");
            if (request.Url.AbsoluteUri != TokenUrl) return FakeFhirHandler.Status(HttpStatusCode.NotFound);
            var form = HttpUtility.ParseQueryString(request.Body!);
            Forms.Add(form.AllKeys.ToDictionary(k => k!, k => form[k]!));
            var handler = new JsonWebTokenHandler();
            var result = handler.ValidateTokenAsync(form["client_assertion"], new TokenValidationParameters
            {
                IssuerSigningKey = PublicKey,
                ValidIssuer = "client-1",
                ValidAudience = TokenUrl,
                ValidAlgorithms = [Algorithm],
                LifetimeValidator = (_, _, _, _) => true,
            }).GetAwaiter().GetResult();
            if (!result.IsValid) return FakeFhirHandler.Json(HttpStatusCode.BadRequest, """{"error":"invalid_client","error_description":"bad signature"}""");
            var jwt = (JsonWebToken)result.SecurityToken;
            Assertions.Add(jwt);
            if (!_jtis.Add(jwt.Id)) return FakeFhirHandler.Json(HttpStatusCode.BadRequest, """{"error":"invalid_client","error_description":"jti replayed"}""");
            Issued++;
            return FakeFhirHandler.Json(HttpStatusCode.OK, $$"""{"access_token":"at-{{Issued}}","token_type":"bearer","expires_in":{{ExpiresIn}},"scope":"system/*.read"}""");
        }
    }

    private static SmartBackendOptions Options(ManualClock clock, Action<SmartBackendOptions> configure)
    {
        var options = new SmartBackendOptions { FhirBaseUrl = new Uri(Base), ClientId = "client-1", KeyId = "k1", TimeProvider = clock };
        configure(options);
        return options;
    }

    /// <summary>A provider signing with the shared RSA key and a token endpoint that trusts it (RS384, PKCS#8 PEM).</summary>
    private static (ManualClock Clock, TokenEndpoint Endpoint, SmartBackendTokenProvider Provider) Rs384Setup()
    {
        using var rsa = TestKeys.Rsa();
        var clock = new ManualClock(Start);
        var endpoint = new TokenEndpoint { PublicKey = new RsaSecurityKey(rsa.ExportParameters(false)), Clock = clock };
        var provider = new SmartBackendTokenProvider(new FakeFhirHandler(endpoint.Handle),
            Options(clock, o => o.PrivateKeyPem = rsa.ExportPkcs8PrivateKeyPem()));
        return (clock, endpoint, provider);
    }

    [Fact]
    public async Task An_rs384_key_from_pem_signs_an_assertion_the_discovered_token_endpoint_accepts()
    {
        var (clock, endpoint, provider) = Rs384Setup();
        using var _ = provider;

        var token = await provider.GetTokenAsync(false, CancellationToken.None);

        Assert.Equal("at-1", token);
        var assertion = Assert.Single(endpoint.Assertions);
        Assert.Equal("RS384", assertion.Alg);
        Assert.Equal("k1", assertion.Kid);
        Assert.Equal("client-1", assertion.Subject);
        Assert.True(assertion.ValidTo <= Start.UtcDateTime.AddMinutes(5));
        Assert.True(assertion.ValidTo > Start.UtcDateTime);
        var form = Assert.Single(endpoint.Forms);
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", form["client_assertion_type"]);
        Assert.Equal("system/*.read", form["scope"]);
    }

    [Fact]
    public async Task An_es384_key_from_a_jwk_signs_an_assertion_the_token_endpoint_accepts()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var p = ec.ExportParameters(true);
        var jwk = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "EC", ["crv"] = "P-384", ["kid"] = "ec-key",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y), ["d"] = Base64UrlEncoder.Encode(p.D),
        });
        var clock = new ManualClock(Start);
        var endpoint = new TokenEndpoint { PublicKey = new ECDsaSecurityKey(ECDsa.Create(ec.ExportParameters(false))), Algorithm = SecurityAlgorithms.EcdsaSha384, Clock = clock };
        using var provider = new SmartBackendTokenProvider(new FakeFhirHandler(endpoint.Handle),
            Options(clock, o => { o.Jwk = jwk; o.KeyId = null; o.Algorithm = "ES384"; o.TokenUrl = new Uri(TokenUrl); }));

        Assert.Equal("at-1", await provider.GetTokenAsync(false, CancellationToken.None));
        Assert.Equal("ES384", endpoint.Assertions[0].Alg);
        Assert.Equal("ec-key", endpoint.Assertions[0].Kid);
    }

    [Fact]
    public async Task The_token_is_cached_until_shortly_before_expiry_then_refreshed_with_a_new_jti()
    {
        using var rsa = TestKeys.Rsa();
        var clock = new ManualClock(Start);
        var endpoint = new TokenEndpoint { PublicKey = new RsaSecurityKey(rsa.ExportParameters(false)), ExpiresIn = 300, Clock = clock };
        using var provider = new SmartBackendTokenProvider(new FakeFhirHandler(endpoint.Handle),
            Options(clock, o => o.PrivateKeyPem = rsa.ExportRSAPrivateKeyPem()));

        var first = await provider.GetTokenAsync(false, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(200));
        var cached = await provider.GetTokenAsync(false, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(50)); // 250 s: inside the 60 s refresh margin of a 300 s token
        var refreshed = await provider.GetTokenAsync(false, CancellationToken.None);
        var forced = await provider.GetTokenAsync(true, CancellationToken.None);

        Assert.Equal(["at-1", "at-1", "at-2", "at-3"], new[] { first, cached, refreshed, forced });
        Assert.Equal(3, endpoint.Assertions.Select(a => a.Id).Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_callers_share_one_token_request()
    {
        var (clock, endpoint, provider) = Rs384Setup();
        using var _ = provider;

        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => provider.GetTokenAsync(false, CancellationToken.None).AsTask()));

        Assert.All(tokens, t => Assert.Equal("at-1", t));
        Assert.Equal(1, endpoint.Issued);
    }

    [Fact]
    public async Task A_refused_client_gets_the_oauth_error_and_advice()
    {
        using var registered = TestKeys.Rsa();
        using var other = TestKeys.OtherRsa();
        var clock = new ManualClock(Start);
        var endpoint = new TokenEndpoint { PublicKey = new RsaSecurityKey(registered.ExportParameters(false)), Clock = clock };
        using var provider = new SmartBackendTokenProvider(new FakeFhirHandler(endpoint.Handle),
            Options(clock, o => o.PrivateKeyPem = other.ExportPkcs8PrivateKeyPem()));

        var error = await Assert.ThrowsAsync<SmartAuthenticationException>(() => provider.GetTokenAsync(false, CancellationToken.None).AsTask());

        Assert.Equal("invalid_client", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("JWKS", error.Message);
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("RS256")]
    public void Only_rs384_and_es384_are_accepted(string algorithm)
    {
        using var rsa = TestKeys.Rsa();
        var error = Assert.Throws<SmartAuthenticationException>(() => SmartSigningKey.Load(new SmartBackendOptions { Algorithm = algorithm, PrivateKeyPem = rsa.ExportPkcs8PrivateKeyPem() }));
        Assert.Contains("RS384 or ES384", error.Message);
    }

    [Fact]
    public void A_public_only_jwk_is_refused_because_the_client_must_sign()
    {
        using var rsa = TestKeys.Rsa();
        var jwk = JsonSerializer.Serialize(JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false))));
        Assert.Throws<SmartAuthenticationException>(() => SmartSigningKey.Load(new SmartBackendOptions { Jwk = jwk }));
    }

    [Fact]
    public async Task An_http_token_endpoint_is_refused_unless_allowed_for_local_development()
    {
        using var rsa = TestKeys.Rsa();
        var handler = new FakeFhirHandler(_ => FakeFhirHandler.Status(HttpStatusCode.OK));
        using var provider = new SmartBackendTokenProvider(handler,
            Options(new ManualClock(Start), o => { o.PrivateKeyPem = rsa.ExportPkcs8PrivateKeyPem(); o.TokenUrl = new Uri("http://auth.fhir.test/token"); }));

        await Assert.ThrowsAsync<SmartAuthenticationException>(() => provider.GetTokenAsync(false, CancellationToken.None).AsTask());
        Assert.Empty(handler.Requests);
    }
}
