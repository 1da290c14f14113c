using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingestion.Serve;
using Ingestion.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Functions.Tests;

/// <summary>
/// The standalone serve host on a real 127.0.0.1 socket with the in-memory Durable backend: the same run API, and
/// serve's access rules (credential header, Host, Origin, refusal to start unprotected).
/// </summary>
public sealed class ServeAccessTests : IAsyncLifetime
{
    private const string Key = "test-api-key-0123456789abcdefghijklmnop";
    private readonly string _folder = Directory.CreateTempSubdirectory("serve-").FullName;
    private readonly LoopbackEhr _ehr = new();
    private readonly int _port = Ingestion.Testing.StandIns.StandInProcess.FreePort();
    private WebApplication? _app;

    private Uri Base => new($"http://127.0.0.1:{_port}");

    private IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Sources:ehr1:FhirBaseUrl"] = _ehr.BaseUrl.ToString(),
        ["Storage:LakePath"] = Path.Combine(_folder, "lake"),
        ["Deid:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    }).Build();

    public async Task InitializeAsync()
    {
        _app = ServeApp.Build(Configuration(), new ServeOptions { ApiKey = Key, Urls = Base.ToString().TrimEnd('/') });
        await _app.StartAsync();
    }

    private HttpClient Client(string? key = Key)
    {
        var client = new HttpClient { BaseAddress = Base };
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static StringContent Start(string source = "ehr1") => new($$"""{"source":"{{source}}"}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task Without_the_credential_every_state_changing_route_is_401_and_nothing_reaches_the_ehr()
    {
        using var anonymous = Client(key: null);
        using var wrongKey = Client("not-the-key-not-the-key-not-the-key-000");
        foreach (var client in new[] { anonymous, wrongKey })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/exports", Start())).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/exports/x/events/Cancel", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/exports/x/terminate", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/exports/x/restart", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/exports/x/retry-failed", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.DeleteAsync("/api/exports/x")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/exports")).StatusCode);
        }
        // A cookie is not a credential.
        using var cookie = new HttpRequestMessage(HttpMethod.Post, "/api/exports") { Content = Start() };
        cookie.Headers.Add("Cookie", "X-Api-Key=" + Key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(cookie)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/health")).StatusCode);
        Assert.Equal(0, _ehr.Connections);
    }

    [Fact]
    public async Task With_the_credential_a_run_starts_and_answers_the_same_contract_as_the_functions_app()
    {
        using var client = Client();

        var bad = await client.PostAsync("/api/exports", new StringContent("""{"source":"ehr1","extra":1}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsync("/api/exports", new StringContent("source=ehr1", Encoding.UTF8, "text/plain"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/exports", Start("nope"))).StatusCode);
        Assert.Equal(0, _ehr.Connections);

        var started = await client.PostAsync("/api/exports", Start());
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        using var payload = JsonDocument.Parse(await started.Content.ReadAsStringAsync());
        var status = payload.RootElement.GetProperty("statusQueryGetUri").GetString()!;
        Assert.StartsWith($"{Base}api/exports/ehr1-", status);
        Assert.Equal(new Uri(status), started.Headers.Location);

        var id = payload.RootElement.GetProperty("id").GetString()!;
        var polled = await client.GetAsync($"/api/exports/{id}");
        Assert.True(polled.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"status answered {polled.StatusCode}");
    }

    [Fact]
    public async Task A_foreign_host_header_is_refused()
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task A_request_from_a_foreign_origin_is_403_even_with_the_credential()
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/exports") { Content = Start() };
        request.Headers.Add("Origin", "http://127.0.0.1:1");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(request)).StatusCode);
        Assert.Equal(0, _ehr.Connections);
    }

    [Theory]
    [InlineData(null, false, "http://127.0.0.1:7071", "Serve__ApiKey")]
    [InlineData("short", false, "http://127.0.0.1:7071", "32 characters")]
    [InlineData(null, true, "http://0.0.0.0:7071", "loopback")]
    [InlineData(null, true, "http://*:7071", "loopback")]
    public void Serve_refuses_to_start_unprotected(string? apiKey, bool insecureLocal, string urls, string reason)
    {
        var error = Assert.Throws<ServeConfigurationException>(() => ServeApp.Build(Configuration(), new ServeOptions { ApiKey = apiKey, InsecureLocal = insecureLocal, Urls = urls }));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task Insecure_local_on_loopback_needs_no_credential_but_still_checks_origin()
    {
        var port = Ingestion.Testing.StandIns.StandInProcess.FreePort();
        await using var app = ServeApp.Build(Configuration(), new ServeOptions { InsecureLocal = true, Urls = $"http://127.0.0.1:{port}" });
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/exports")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/exports/x");
        request.Headers.Add("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(request)).StatusCode);
        await app.StopAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await _ehr.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
