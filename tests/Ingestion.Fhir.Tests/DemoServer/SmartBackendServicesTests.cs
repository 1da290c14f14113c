using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Ingestion.DemoServer;
using Microsoft.IdentityModel.Tokens;

namespace Ingestion.Fhir.Tests.DemoServer;

public sealed class SmartBackendServicesTests : IAsyncLifetime
{
    private const string RsaClient = "rsa-client";
    private const string EcClient = "ec-client";
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private DemoFhirServer _server = null!;

    private SecurityKey RsaKey => new RsaSecurityKey(_rsa) { KeyId = "rsa-1" };
    private SecurityKey EcKey => new ECDsaSecurityKey(_ec) { KeyId = "ec-1" };

    public async Task InitializeAsync() => _server = await StartAsync(TimeSpan.FromMinutes(5));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _rsa.Dispose();
        _ec.Dispose();
    }

    private Task<DemoFhirServer> StartAsync(TimeSpan tokenLifetime) => DemoFhirServer.StartAsync(new DemoServerOptions
    {
        Patients = 5,
        RequireAuth = true,
        TokenLifetime = tokenLifetime,
        Clients = [DemoClientRegistration.FromRsa(RsaClient, _rsa, "rsa-1"), DemoClientRegistration.FromECDsa(EcClient, _ec, "ec-1")],
    });

    private static async Task<(HttpStatusCode Status, JsonElement Body)> RequestTokenAsync(DemoFhirServer server, string assertion, string scope = "system/*.read")
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(server.TokenUrl, ClientAssertion.Form(assertion, scope));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Rs384_assertion_gets_a_token_that_opens_kick_off_status_and_files()
    {
        var (status, body) = await RequestTokenAsync(_server, ClientAssertion.Create(RsaKey, "RS384", RsaClient, _server.TokenUrl.ToString()));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(300, body.GetProperty("expires_in").GetInt32());
        Assert.Equal("system/*.read", body.GetProperty("scope").GetString());

        using var client = new DemoServerClient(_server.BaseUrl, body.GetProperty("access_token").GetString());
        var manifest = await client.WaitForManifestAsync(await client.KickOffAsync());
        Assert.True(manifest.GetProperty("requiresAccessToken").GetBoolean());
        var lines = await client.DownloadAllAsync(manifest);
        Assert.Equal(_server.Expected.LinesOf("Patient"), lines["Patient"].Count);

        using var anonymous = new DemoServerClient(_server.BaseUrl);
        var fileUrl = manifest.GetProperty("output")[0].GetProperty("url").GetString()!;
        foreach (var (method, url, bulk) in new[] { (HttpMethod.Get, "/$export", true), (HttpMethod.Get, fileUrl, false) })
        {
            using var response = await anonymous.SendAsync(anonymous.Request(method, url, bulk));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task Es384_assertion_gets_a_token()
    {
        var (status, body) = await RequestTokenAsync(_server, ClientAssertion.Create(EcKey, "ES384", EcClient, _server.TokenUrl.ToString()), "system/*.rs");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("access_token").GetString()));
    }

    [Fact]
    public async Task Status_request_without_a_bearer_token_is_refused()
    {
        var (_, body) = await RequestTokenAsync(_server, ClientAssertion.Create(RsaKey, "RS384", RsaClient, _server.TokenUrl.ToString()));
        using var client = new DemoServerClient(_server.BaseUrl, body.GetProperty("access_token").GetString());
        var statusUrl = await client.KickOffAsync();
        using var anonymous = new DemoServerClient(_server.BaseUrl);
        using var response = await anonymous.SendAsync(anonymous.Request(HttpMethod.Get, statusUrl, bulkHeaders: false));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("wrong-aud", "aud must be")]
    [InlineData("expired", "expired")]
    [InlineData("too-far-ahead", "at most 5 minutes")]
    [InlineData("sub-differs", "sub must equal iss")]
    [InlineData("unknown-client", "Unknown client")]
    [InlineData("wrong-key", "signature")]
    [InlineData("HS256", "RS384 or ES384")]
    public async Task Invalid_assertions_are_rejected_with_the_reason(string flaw, string reason)
    {
        var audience = _server.TokenUrl.ToString();
        var assertion = flaw switch
        {
            "wrong-aud" => ClientAssertion.Create(RsaKey, "RS384", RsaClient, "https://elsewhere.example/token"),
            "expired" => ClientAssertion.Create(RsaKey, "RS384", RsaClient, audience, expiresIn: TimeSpan.FromMinutes(-2)),
            "too-far-ahead" => ClientAssertion.Create(RsaKey, "RS384", RsaClient, audience, expiresIn: TimeSpan.FromMinutes(30)),
            "sub-differs" => ClientAssertion.Create(RsaKey, "RS384", RsaClient, audience, subject: "someone-else"),
            "unknown-client" => ClientAssertion.Create(RsaKey, "RS384", "stranger", audience),
            "wrong-key" => ClientAssertion.Create(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "rsa-1" }, "RS384", RsaClient, audience),
            _ => ClientAssertion.Create(new SymmetricSecurityKey(new byte[64]), "HS256", RsaClient, audience),
        };
        var (status, body) = await RequestTokenAsync(_server, assertion);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.Contains(reason, body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Replayed_jti_is_rejected()
    {
        var jti = Guid.NewGuid().ToString();
        var first = await RequestTokenAsync(_server, ClientAssertion.Create(RsaKey, "RS384", RsaClient, _server.TokenUrl.ToString(), jti: jti));
        var replay = await RequestTokenAsync(_server, ClientAssertion.Create(RsaKey, "RS384", RsaClient, _server.TokenUrl.ToString(), jti: jti));
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.Status);
        Assert.Contains("jti", replay.Body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Scope_outside_system_read_is_refused()
    {
        var (status, body) = await RequestTokenAsync(_server, ClientAssertion.Create(RsaKey, "RS384", RsaClient, _server.TokenUrl.ToString()), "patient/*.write");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_scope", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Tokens_expire_after_the_configured_lifetime()
    {
        await using var server = await StartAsync(TimeSpan.FromSeconds(1));
        var (_, body) = await RequestTokenAsync(server, ClientAssertion.Create(RsaKey, "RS384", RsaClient, server.TokenUrl.ToString()));
        using var client = new DemoServerClient(server.BaseUrl, body.GetProperty("access_token").GetString());
        var statusUrl = await client.KickOffAsync();
        await Task.Delay(1300);
        using var response = await client.SendAsync(client.Request(HttpMethod.Get, statusUrl, bulkHeaders: false));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
