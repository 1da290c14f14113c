using System.Net;
using System.Text;
using System.Text.Json;

namespace Ingestion.Functions.Tests.Serve;

/// <summary>
/// The run API contract as a client of serve sees it over a real socket, for each way serve runs (in process, and the
/// built CLI as its own process): the cases of <see cref="RunApiContractCases"/> plus serve's own rules (credential
/// header, Host, Origin). Nothing refused reaches the source's EHR.
/// </summary>
public abstract class ServeContractTests(ServeHost host)
{
    private HttpClient Client(string? key = ServeHost.ApiKey)
    {
        var client = new HttpClient { BaseAddress = host.BaseUrl };
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    [Fact]
    public async Task Without_the_credential_every_state_changing_route_is_401_and_nothing_reaches_the_ehr()
    {
        using var anonymous = Client(key: null);
        using var wrongKey = Client("not-the-key-not-the-key-not-the-key-000");
        foreach (var client in new[] { anonymous, wrongKey })
        {
            foreach (var (method, path) in RunApiContractCases.StateChangingRoutes)
            {
                using var request = new HttpRequestMessage(method, path) { Content = Json("""{"source":"ehr1"}""") };
                Assert.True((await client.SendAsync(request)).StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}");
            }
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/exports")).StatusCode);
        }
        // A cookie is not a credential.
        using var cookie = new HttpRequestMessage(HttpMethod.Post, "/api/exports") { Content = Json("""{"source":"ehr1"}""") };
        cookie.Headers.Add("Cookie", "X-Api-Key=" + ServeHost.ApiKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/health")).StatusCode);
        Assert.Equal(0, host.Ehr.Connections);
    }

    [Fact]
    public async Task A_start_answers_202_with_the_management_payload_location_and_retry_after()
    {
        using var client = Client();
        var started = await client.PostAsync("/api/exports", Json("""{"source":"ehr1","types":["Patient"]}"""));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        using var payload = JsonDocument.Parse(await started.Content.ReadAsStringAsync());
        var root = payload.RootElement;
        var id = root.GetProperty("id").GetString()!;
        Assert.StartsWith("ehr1-", id, StringComparison.Ordinal);
        RunApiContractCases.AssertManagementPayload(root, started, $"{host.BaseUrl}api/exports/{id}");
        Assert.NotNull(started.Headers.RetryAfter?.Delta);

        var polled = await client.GetAsync($"/api/exports/{id}");
        Assert.True(polled.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"status answered {polled.StatusCode}");
    }

    [Theory]
    [MemberData(nameof(RunApiContractCases.BadRequests), MemberType = typeof(RunApiContractCases))]
    public async Task A_bad_request_is_400_problem_json_naming_the_field_without_echoing_values(string json, string field)
    {
        using var client = Client();
        var response = await client.PostAsync("/api/exports", Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        foreach (var value in RunApiContractCases.NeverEchoed) Assert.DoesNotContain(value, text);
        Assert.Equal(0, host.Ehr.Connections);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_and_an_unknown_source_404()
    {
        using var client = Client();
        var notJson = await client.PostAsync("/api/exports", Json("""{"source":"ehr1"}""", "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal("application/problem+json", notJson.Content.Headers.ContentType?.MediaType);

        var unknown = await client.PostAsync("/api/exports", Json("""{"source":"nope"}"""));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var problem = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync());
        Assert.Equal("source", problem.RootElement.GetProperty("field").GetString());
        Assert.Equal(0, host.Ehr.Connections);
    }

    [Fact]
    public async Task A_foreign_host_header_is_refused_and_a_foreign_origin_is_403_even_with_the_credential()
    {
        using var client = Client();
        using var foreignHost = new HttpRequestMessage(HttpMethod.Get, "/api/exports");
        foreignHost.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(foreignHost)).StatusCode);

        using var foreignOrigin = new HttpRequestMessage(HttpMethod.Post, "/api/exports") { Content = Json("""{"source":"ehr1"}""") };
        foreignOrigin.Headers.Add("Origin", "http://127.0.0.1:1");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(foreignOrigin)).StatusCode);
        Assert.Equal(0, host.Ehr.Connections);
    }
}

public sealed class InProcessServeContractTests(InProcessServe host) : ServeContractTests(host), IClassFixture<InProcessServe>;

public sealed class ServeProcessContractTests(ServeProcess host) : ServeContractTests(host), IClassFixture<ServeProcess>;
