using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Web;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.Tests.BulkData;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ingestion.Fhir.Tests.Security;

/// <summary>SMART client assertions as the spec requires them (kid, lifetime, jti, key/algorithm), and a token endpoint that fails transiently.</summary>
public class SmartAssertionTests
{
    private const string TokenUrl = "https://auth.fhir.test/token";
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 5, 0, 0, TimeSpan.Zero);

    private static SmartBackendOptions Options(Action<SmartBackendOptions> configure)
    {
        var options = new SmartBackendOptions
        {
            TokenUrl = new Uri(TokenUrl),
            ClientId = "client-1",
            TimeProvider = new ManualClock(Start),
            RetryBackoffBase = TimeSpan.FromMilliseconds(1),
        };
        configure(options);
        return options;
    }

    private static string RsaPem()
    {
        using var rsa = TestKeys.Rsa();
        return rsa.ExportPkcs8PrivateKeyPem();
    }

    private static JsonWebToken Assertion(SmartBackendTokenProvider provider) => new(provider.CreateClientAssertion(new Uri(TokenUrl)));

    [Fact]
    public void Without_a_configured_key_id_the_assertion_carries_the_keys_jwk_thumbprint_as_kid()
    {
        using var rsa = TestKeys.Rsa();
        using var provider = new SmartBackendTokenProvider(new FakeFhirHandler(_ => FakeFhirHandler.Status(HttpStatusCode.NotFound)),
            Options(o => o.PrivateKeyPem = rsa.ExportPkcs8PrivateKeyPem()));

        var kid = Assertion(provider).Kid;

        var expected = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false))).ComputeJwkThumbprint());
        Assert.Equal(expected, kid);
    }

    [Fact]
    public void A_configured_jwks_url_is_sent_as_jku_and_the_assertion_lifetime_never_exceeds_five_minutes()
    {
        using var provider = new SmartBackendTokenProvider(new FakeFhirHandler(_ => FakeFhirHandler.Status(HttpStatusCode.NotFound)),
            Options(o =>
            {
                o.PrivateKeyPem = RsaPem();
                o.KeyId = "k1";
                o.JwksUrl = new Uri("https://client.example.test/.well-known/jwks.json");
                o.AssertionLifetime = TimeSpan.FromMinutes(30);
            }));

        var first = Assertion(provider);
        var second = Assertion(provider);

        Assert.True(first.TryGetHeaderValue<string>("jku", out var jku));
        Assert.Equal("https://client.example.test/.well-known/jwks.json", jku);
        Assert.Equal(TimeSpan.FromMinutes(5), first.ValidTo - first.IssuedAt);
        Assert.NotEqual(first.Id, second.Id);
        Assert.False(string.IsNullOrEmpty(first.Id));
    }

    [Fact]
    public void A_p256_key_is_refused_for_es384()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var error = Assert.Throws<SmartAuthenticationException>(() => new SmartBackendTokenProvider(
            new FakeFhirHandler(_ => FakeFhirHandler.Status(HttpStatusCode.NotFound)),
            Options(o => { o.Algorithm = "ES384"; o.PrivateKeyPem = ec.ExportPkcs8PrivateKeyPem(); })));

        Assert.Contains("P-384", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_rsa_key_under_2048_bits_is_refused_for_rs384()
    {
        using var rsa = RSA.Create(1024);

        var error = Assert.Throws<SmartAuthenticationException>(() => new SmartBackendTokenProvider(
            new FakeFhirHandler(_ => FakeFhirHandler.Status(HttpStatusCode.NotFound)),
            Options(o => o.PrivateKeyPem = rsa.ExportPkcs8PrivateKeyPem())));

        Assert.Contains("at least 2048 bits", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_endpoint_answering_503_is_retried_with_a_fresh_assertion_each_time()
    {
        var jtis = new List<string>();
        var handler = new FakeFhirHandler(request =>
        {
            jtis.Add(new JsonWebToken(HttpUtility.ParseQueryString(request.Body!)["client_assertion"]).Id);
            return jtis.Count < 3
                ? FakeFhirHandler.Json(HttpStatusCode.ServiceUnavailable, "{}")
                : FakeFhirHandler.Json(HttpStatusCode.OK, """{"access_token":"SECRET-TOKEN","expires_in":300}""");
        });
        using var provider = new SmartBackendTokenProvider(handler, Options(o => { o.PrivateKeyPem = RsaPem(); o.KeyId = "k1"; }));

        var token = await provider.GetTokenAsync(false, CancellationToken.None);

        Assert.Equal("SECRET-TOKEN", token);
        Assert.Equal(3, jtis.Distinct().Count());
    }

    [Fact]
    public async Task A_token_endpoint_that_keeps_failing_is_reported_as_unavailable_not_as_a_refusal()
    {
        var calls = 0;
        var handler = new FakeFhirHandler(_ =>
        {
            calls++;
            return FakeFhirHandler.Json(HttpStatusCode.ServiceUnavailable, "{}");
        });
        using var provider = new SmartBackendTokenProvider(handler, Options(o => { o.PrivateKeyPem = RsaPem(); o.KeyId = "k1"; o.MaxAttempts = 3; }));

        var error = await Assert.ThrowsAsync<SmartAuthenticationException>(() => provider.GetTokenAsync(false, CancellationToken.None).AsTask());

        Assert.Equal(3, calls);
        Assert.Contains("kept failing", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_from_the_token_endpoint_is_not_retried()
    {
        var calls = 0;
        var handler = new FakeFhirHandler(_ =>
        {
            calls++;
            return FakeFhirHandler.Json(HttpStatusCode.BadRequest, JsonSerializer.Serialize(new { error = "invalid_client" }));
        });
        using var provider = new SmartBackendTokenProvider(handler, Options(o => { o.PrivateKeyPem = RsaPem(); o.KeyId = "k1"; }));

        var error = await Assert.ThrowsAsync<SmartAuthenticationException>(() => provider.GetTokenAsync(false, CancellationToken.None).AsTask());

        Assert.Equal(1, calls);
        Assert.Equal("invalid_client", error.ErrorCode);
    }
}
