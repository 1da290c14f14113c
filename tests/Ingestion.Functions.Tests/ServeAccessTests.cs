using System.Net;
using System.Security.Cryptography;
using Ingestion.Serve;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Functions.Tests;

/// <summary>
/// serve's refusal to start unprotected, and --insecure-local on loopback (the run API contract over a socket is in
/// <see cref="Serve.ServeContractTests"/>, Entra ID tokens in <see cref="Serve.ServeEntraTests"/>).
/// </summary>
public sealed class ServeAccessTests : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("serve-").FullName;
    private readonly LoopbackEhr _ehr = new();

    private IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Sources:ehr1:FhirBaseUrl"] = _ehr.BaseUrl.ToString(),
        ["Storage:LakePath"] = Path.Combine(_folder, "lake"),
        ["Deid:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    }).Build();

    [Theory]
    [InlineData(null, false, "http://127.0.0.1:7071", "Serve__ApiKey")]
    [InlineData(null, false, "http://127.0.0.1:7071", "Serve__Entra__Issuer")]
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

    public async ValueTask DisposeAsync()
    {
        await _ehr.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
