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
        await using var server = await RunApiServer.StartAsync(time: Clock);

        var response = await server.Client.PostAsync("/api/exports", Json("""{"source":"ehr1","since":"2026-11-01T00:00:00Z","types":["Patient","Observation"],"typeFilter":["Observation?category=laboratory"],"group":"g-1"}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        var id = root.GetProperty("id").GetString()!;
        Assert.StartsWith("ehr1-20261206T050000Z-", id);
        RunApiContractCases.AssertManagementPayload(root, response, $"http://localhost/api/exports/{id}");
        Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);

        // The run carries the source's server and the request's overrides, the key pinned, started by the API.
        var input = Assert.Single(server.ScheduledInputs);
        Assert.Equal("ehr1", input.SourceId);
        Assert.Equal(server.Ehr.BaseUrl.ToString(), input.FhirBaseUrl);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), input.Request.Since);
        Assert.Equal(["Patient", "Observation"], input.Request.Types);
        Assert.Equal(["Observation?category=laboratory"], input.Request.TypeFilters);
        Assert.Equal(Ingestion.Fhir.BulkData.BulkExportLevel.Group, input.Request.Level);
        Assert.Equal("g-1", input.Request.GroupId);
        Assert.Equal(Ingestion.Orchestration.RunTriggerKind.Api, input.Trigger.Kind);
        Assert.False(string.IsNullOrEmpty(input.KeyFingerprint));
    }

    [Theory]
    [MemberData(nameof(RunApiContractCases.BadRequests), MemberType = typeof(RunApiContractCases))]
    public async Task A_bad_request_is_400_problem_json_naming_the_field_without_echoing_values(string json, string field)
    {
        await using var server = await RunApiServer.StartAsync(time: Clock);

        var response = await server.Client.PostAsync("/api/exports", Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        foreach (var value in RunApiContractCases.NeverEchoed) Assert.DoesNotContain(value, text);
        AssertNothingStarted(server);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data")]
    public async Task A_body_that_is_not_json_is_415(string mediaType)
    {
        await using var server = await RunApiServer.StartAsync(time: Clock);

        var response = await server.Client.PostAsync("/api/exports", Json("""{"source":"ehr1"}""", mediaType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        AssertNothingStarted(server);
    }

    [Fact]
    public async Task A_body_without_content_type_is_415()
    {
        await using var server = await RunApiServer.StartAsync(time: Clock);
        var content = new ByteArrayContent("""{"source":"ehr1"}"""u8.ToArray());

        var response = await server.Client.PostAsync("/api/exports", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        AssertNothingStarted(server);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_body_is_413_with_or_without_content_length(bool declareLength)
    {
        await using var server = await RunApiServer.StartAsync(new Dictionary<string, string?> { ["RunApi:MaxRequestBodyBytes"] = "1024" }, Clock);
        var json = """{"source":"ehr1","types":[""" + string.Join(",", Enumerable.Repeat("\"Patient\"", 150)) + "]}";
        HttpContent content = declareLength
            ? Json(json)
            : new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await server.Client.PostAsync("/api/exports", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        AssertNothingStarted(server);
    }

    [Fact]
    public async Task An_unknown_source_is_404_and_nothing_is_scheduled()
    {
        await using var server = await RunApiServer.StartAsync(time: Clock);

        var response = await server.Client.PostAsync("/api/exports", Json("""{"source":"ehr2"}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("source", problem.RootElement.GetProperty("field").GetString());
        AssertNothingStarted(server);
    }

    /// <summary>No run scheduled and not one connection to the source's FHIR server.</summary>
    private static void AssertNothingStarted(RunApiServer server)
    {
        Assert.Empty(server.Durable.Scheduled);
        Assert.Equal(0, server.Ehr.Connections);
    }

    /// <summary>A body without Content-Length (chunked), as a client streaming an unknown length sends it.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
