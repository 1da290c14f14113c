using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ingestion.Testing;
using Microsoft.DurableTask.Client;

namespace Ingestion.Functions.Tests;

/// <summary>POST /api/exports: what an operator or a scheduler relies on when starting a run, and what it refuses.</summary>
public sealed class StartExportTests
{
    private static readonly ManualTimeProvider Clock = new(new DateTimeOffset(2026, 12, 6, 5, 0, 0, TimeSpan.Zero));

    private static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    [Fact]
    public async Task Starting_a_configured_source_answers_202_with_the_durable_management_payload()
    {
        var durable = new FakeDurableTaskClient();
        var launcher = new RecordingRunLauncher("ehr1");
        await using var server = await RunApiServer.StartAsync(durable, launcher, time: Clock);

        var response = await server.Client.PostAsync("/api/exports", Json("""{"source":"ehr1","since":"2026-11-01T00:00:00Z","types":["Patient","Observation"],"typeFilter":["Observation?category=laboratory"],"group":"g-1"}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("ehr1-run", root.GetProperty("id").GetString());
        Assert.Equal("http://localhost/api/exports/ehr1-run", root.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal("http://localhost/api/exports/ehr1-run/events/{eventName}", root.GetProperty("sendEventPostUri").GetString());
        Assert.Equal("http://localhost/api/exports/ehr1-run/terminate", root.GetProperty("terminatePostUri").GetString());
        Assert.Equal("http://localhost/api/exports/ehr1-run", root.GetProperty("purgeHistoryDeleteUri").GetString());
        Assert.Equal("http://localhost/api/exports/ehr1-run/restart", root.GetProperty("restartPostUri").GetString());
        Assert.Equal(new Uri("http://localhost/api/exports/ehr1-run"), response.Headers.Location);
        Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);

        var started = Assert.Single(launcher.Started);
        Assert.Equal("ehr1", started.Source);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), started.Since);
        Assert.Equal(["Patient", "Observation"], started.Types);
        Assert.Equal(["Observation?category=laboratory"], started.TypeFilters);
        Assert.Equal("g-1", started.Group);
        Assert.Single(durable.Scheduled);
    }

    [Theory]
    [InlineData("""{"source":"ehr1","fhirBaseUrl":"https://attacker.example/fhir"}""", "$")]
    [InlineData("""{"source":"ehr1","since":"yesterday 123-45-6789"}""", "since")]
    [InlineData("""{"source":"ehr1","since":"2026-11-01"}""", "since")]
    [InlineData("""{"source":"ehr1","since":"2027-01-01T00:00:00Z"}""", "since")]
    [InlineData("""{"source":"ehr1","types":["Patient","123-45-6789"]}""", "types[1]")]
    [InlineData("""{"source":"ehr1","types":"Patient"}""", "types")]
    [InlineData("""{"source":"ehr1","typeFilter":["not a search 123-45-6789"]}""", "typeFilter[0]")]
    [InlineData("""{"source":"ehr1","group":"../123-45-6789/x"}""", "group")]
    [InlineData("""{"source":"../123-45-6789"}""", "source")]
    [InlineData("""{"since":"2026-11-01T00:00:00Z"}""", "source")]
    [InlineData("""["ehr1"]""", "$")]
    [InlineData("""{"source":"ehr1", "types":["123-45-6789" """, "$")]
    public async Task A_bad_request_is_400_problem_json_naming_the_field_without_echoing_values(string json, string field)
    {
        var durable = new FakeDurableTaskClient();
        var launcher = new RecordingRunLauncher("ehr1");
        await using var server = await RunApiServer.StartAsync(durable, launcher, time: Clock);

        var response = await server.Client.PostAsync("/api/exports", Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("123-45-6789", text);
        Assert.DoesNotContain("attacker", text);
        Assert.DoesNotContain("fhirBaseUrl", text);
        Assert.Empty(launcher.Started);
        Assert.Empty(durable.Scheduled);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data")]
    public async Task A_body_that_is_not_json_is_415(string mediaType)
    {
        var launcher = new RecordingRunLauncher("ehr1");
        await using var server = await RunApiServer.StartAsync(new FakeDurableTaskClient(), launcher, time: Clock);

        var response = await server.Client.PostAsync("/api/exports", Json("""{"source":"ehr1"}""", mediaType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(launcher.Started);
    }

    [Fact]
    public async Task A_body_without_content_type_is_415()
    {
        var launcher = new RecordingRunLauncher("ehr1");
        await using var server = await RunApiServer.StartAsync(new FakeDurableTaskClient(), launcher, time: Clock);
        var content = new ByteArrayContent("""{"source":"ehr1"}"""u8.ToArray());

        var response = await server.Client.PostAsync("/api/exports", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Empty(launcher.Started);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_body_is_413_with_or_without_content_length(bool declareLength)
    {
        var launcher = new RecordingRunLauncher("ehr1");
        await using var server = await RunApiServer.StartAsync(new FakeDurableTaskClient(), launcher,
            new Dictionary<string, string?> { ["RunApi:MaxRequestBodyBytes"] = "1024" }, Clock);
        var json = """{"source":"ehr1","types":[""" + string.Join(",", Enumerable.Repeat("\"Patient\"", 150)) + "]}";
        HttpContent content = declareLength
            ? Json(json)
            : new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await server.Client.PostAsync("/api/exports", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(launcher.Started);
    }

    [Fact]
    public async Task An_unknown_source_is_404_and_nothing_is_scheduled()
    {
        var durable = new FakeDurableTaskClient();
        var launcher = new RecordingRunLauncher("ehr1");
        await using var server = await RunApiServer.StartAsync(durable, launcher, time: Clock);

        var response = await server.Client.PostAsync("/api/exports", Json("""{"source":"ehr2"}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("source", problem.RootElement.GetProperty("field").GetString());
        Assert.Empty(launcher.Started);
        Assert.Empty(durable.Scheduled);
    }

    /// <summary>A body without Content-Length (chunked), as a client streaming an unknown length sends it.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
