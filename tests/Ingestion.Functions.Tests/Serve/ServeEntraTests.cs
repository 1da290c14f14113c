using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Ingestion.Serve;
using Ingestion.Testing.StandIns;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Functions.Tests.Serve;

/// <summary>
/// serve with an Entra ID issuer instead of an API key (a loopback issuer: OpenID metadata + JWKS, tokens signed by a
/// test key): a valid token with the operator role may change runs, one without it only read them (403), and a token
/// from another issuer, for another audience, expired or signed with a key the issuer never published is 401.
/// </summary>
public sealed class ServeEntraTests : IAsyncLifetime
{
    private const string Audience = "api://ingestion-test";
    private const string Role = "Ingestion.Operator";
    private readonly string _folder = Directory.CreateTempSubdirectory("serve-entra-").FullName;
    private readonly LoopbackEhr _ehr = new();
    private readonly int _port = StandInProcess.FreePort();
    private LoopbackIssuer _issuer = null!;
    private WebApplication? _app;

    private IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Sources:ehr1:FhirBaseUrl"] = _ehr.BaseUrl.ToString(),
        ["Storage:LakePath"] = Path.Combine(_folder, "lake"),
        ["Deid:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    }).Build();

    private ServeEntraOptions Entra() => new() { Issuer = _issuer.Issuer, Audience = Audience, OperatorRole = Role, RequireHttpsMetadata = false };

    public async Task InitializeAsync()
    {
        _issuer = await LoopbackIssuer.StartAsync();
        _app = ServeApp.Build(Configuration(), new ServeOptions { Entra = Entra(), Urls = $"http://127.0.0.1:{_port}" });
        await _app.StartAsync();
    }

    private async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string? token)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post && path == "/api/exports") request.Content = new StringContent("""{"source":"ehr1"}""", Encoding.UTF8, "application/json");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_valid_token_with_the_operator_role_may_start_a_run()
    {
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Post, "/api/exports", _issuer.Token(Audience, [Role])));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/exports", _issuer.Token(Audience, [Role])));
    }

    [Fact]
    public async Task A_valid_token_without_the_operator_role_reads_but_every_state_changing_route_is_403()
    {
        var reader = _issuer.Token(Audience, ["Ingestion.Reader"]);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/exports", reader));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "/api/exports", reader));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "/api/exports/x/events/Cancel", reader));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "/api/exports/x/terminate", reader));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "/api/exports/x/restart", reader));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "/api/exports/x/retry-failed", reader));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Delete, "/api/exports/x", reader));
        Assert.Equal(0, _ehr.Connections);
    }

    [Fact]
    public async Task A_token_from_another_issuer_for_another_audience_expired_or_signed_by_another_key_is_401()
    {
        var tokens = new Dictionary<string, string>
        {
            ["wrong issuer"] = _issuer.Token(Audience, [Role], issuer: "https://login.microsoftonline.com/other-tenant/v2.0"),
            ["wrong audience"] = _issuer.Token("api://another-app", [Role]),
            ["expired"] = _issuer.Token(Audience, [Role], expires: DateTime.UtcNow.AddMinutes(-10)),
            ["unpublished key"] = _issuer.Token(Audience, [Role], foreignKey: true),
            ["not a jwt"] = "not-a-token",
        };
        foreach (var (name, token) in tokens)
        {
            Assert.True(await SendAsync(HttpMethod.Post, "/api/exports", token) == HttpStatusCode.Unauthorized, name);
            Assert.True(await SendAsync(HttpMethod.Get, "/api/exports", token) == HttpStatusCode.Unauthorized, name);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Post, "/api/exports", token: null));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/health", token: null));
        Assert.Equal(0, _ehr.Connections);
    }

    [Theory]
    [InlineData("https://login.microsoftonline.com/t/v2.0", null, true, "Audience is required")]
    [InlineData("http://login.example.org/t/v2.0", Audience, true, "https")]
    [InlineData("http://login.example.org/t/v2.0", Audience, false, "loopback")]
    public void Serve_refuses_an_issuer_it_could_not_trust(string issuer, string? audience, bool requireHttps, string reason)
    {
        var options = new ServeOptions { Entra = new ServeEntraOptions { Issuer = new Uri(issuer), Audience = audience, RequireHttpsMetadata = requireHttps }, Urls = "http://127.0.0.1:1" };
        var error = Assert.Throws<ServeConfigurationException>(() => ServeApp.Build(Configuration(), options));
        Assert.Contains(reason, error.Message);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await _issuer.DisposeAsync();
        await _ehr.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
