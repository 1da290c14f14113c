using System.Net;
using System.Text;
using System.Text.Json;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask.Client;

namespace Ingestion.Functions.Tests;

/// <summary>Status, cancel, terminate, purge and listing: what an operator polling or stopping a run relies on.</summary>
public sealed class RunManagementTests
{
    private static RunRecord Run(string id, string source, RunRecordStatus status, DateTimeOffset created) => new()
    {
        RunId = id,
        SourceId = source,
        Status = status,
        CreatedAt = created,
        KeyFingerprint = "k1",
        Trigger = "api",
        InputJson = """{"patients":["123-45-6789"]}""",
    };

    [Fact]
    public async Task Status_is_202_with_location_and_retry_after_while_running_and_200_when_done()
    {
        await using var server = await RunApiServer.StartAsync();
        server.Durable.Add("r1", OrchestrationRuntimeStatus.Running, customStatus: """{"phase":"Polling","filesDone":2}""");

        var running = await server.Client.GetAsync("/api/exports/r1");
        Assert.Equal(HttpStatusCode.Accepted, running.StatusCode);
        Assert.Equal(new Uri("http://localhost/api/exports/r1"), running.Headers.Location);
        Assert.NotNull(running.Headers.RetryAfter);
        using (var body = JsonDocument.Parse(await running.Content.ReadAsStringAsync()))
        {
            Assert.Equal("Running", body.RootElement.GetProperty("runtimeStatus").GetString());
            Assert.Equal("Polling", body.RootElement.GetProperty("customStatus").GetProperty("phase").GetString());
        }

        server.Durable.Add("r1", OrchestrationRuntimeStatus.Completed, output: """{"filesDone":3}""");
        var done = await server.Client.GetAsync("/api/exports/r1");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Null(done.Headers.Location);

        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/api/exports/nope")).StatusCode);
    }

    [Fact]
    public async Task Cancel_raises_the_cancel_event_once_and_only_for_a_running_run()
    {
        await using var server = await RunApiServer.StartAsync();
        server.Durable.Add("r1", OrchestrationRuntimeStatus.Running);
        server.Durable.Add("r2", OrchestrationRuntimeStatus.Completed);

        Assert.Equal(HttpStatusCode.Accepted, (await server.Client.PostAsync("/api/exports/r1/events/Cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.PostAsync("/api/exports/r1/events/Approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await server.Client.PostAsync("/api/exports/r2/events/Cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.PostAsync("/api/exports/r3/events/Cancel", null)).StatusCode);

        var raised = Assert.Single(server.Durable.RaisedEvents);
        Assert.Equal(("r1", "Cancel"), (raised.InstanceId, raised.EventName));
        var audit = await CatalogAudit.ReadAsync(server.Catalog, "r1");
        Assert.Contains(audit, a => a.Action == "CancelRequested");
    }

    [Fact]
    public async Task Terminate_stops_a_running_run_and_refuses_a_finished_one()
    {
        await using var server = await RunApiServer.StartAsync();
        server.Durable.Add("r1", OrchestrationRuntimeStatus.Running);
        server.Durable.Add("r2", OrchestrationRuntimeStatus.Failed);

        Assert.Equal(HttpStatusCode.Accepted, (await server.Client.PostAsync("/api/exports/r1/terminate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await server.Client.PostAsync("/api/exports/r2/terminate", null)).StatusCode);
        Assert.Equal(["r1"], server.Durable.Terminated);
    }

    [Fact]
    public async Task Purge_removes_a_finished_runs_history_and_catalog_rows_but_never_a_running_one()
    {
        await using var server = await RunApiServer.StartAsync();
        server.Durable.Add("r1", OrchestrationRuntimeStatus.Running);
        server.Durable.Add("r2", OrchestrationRuntimeStatus.Completed);
        await server.Catalog.CreateRunAsync(Run("r2", "ehr1", RunRecordStatus.Completed, DateTimeOffset.UtcNow), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Conflict, (await server.Client.DeleteAsync("/api/exports/r1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.DeleteAsync("/api/exports/r2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.DeleteAsync("/api/exports/r2")).StatusCode);

        Assert.Equal(["r2"], server.Durable.Purged);
        Assert.Null(await server.Catalog.GetRunAsync("r2", CancellationToken.None));
        var audit = await CatalogAudit.ReadAsync(server.Catalog, "source:ehr1");
        Assert.Contains(audit, a => a.Action == "Purged");
    }

    [Fact]
    public async Task A_second_start_while_the_source_has_a_run_is_409_and_schedules_nothing()
    {
        await using var server = await RunApiServer.StartAsync();
        await server.Catalog.CreateRunAsync(Run("busy", "ehr1", RunRecordStatus.Running, DateTimeOffset.UtcNow), CancellationToken.None);
        server.Durable.Add("busy", OrchestrationRuntimeStatus.Running);

        var response = await server.Client.PostAsync("/api/exports", new StringContent("""{"source":"ehr1"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Empty(server.Durable.Scheduled);
        Assert.Equal(0, server.Ehr.Connections);
    }

    [Fact]
    public async Task Listing_filters_by_source_and_status_pages_and_leaves_out_run_inputs()
    {
        await using var server = await RunApiServer.StartAsync();
        var t0 = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 3; i++) await server.Catalog.CreateRunAsync(Run($"a{i}", "ehr1", RunRecordStatus.Completed, t0.AddHours(i)), CancellationToken.None);
        await server.Catalog.CreateRunAsync(Run("b0", "ehr2", RunRecordStatus.Completed, t0), CancellationToken.None);
        await server.Catalog.CreateRunAsync(Run("a9", "ehr1", RunRecordStatus.Failed, t0), CancellationToken.None);

        var first = await server.Client.GetAsync("/api/exports?source=ehr1&status=completed&pageSize=2");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var text = await first.Content.ReadAsStringAsync();
        Assert.DoesNotContain("123-45-6789", text);
        using var page = JsonDocument.Parse(text);
        var ids = page.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()).ToList();
        Assert.Equal(["a2", "a1"], ids);
        var token = page.RootElement.GetProperty("continuationToken").GetString();
        Assert.False(string.IsNullOrEmpty(token));

        using var next = JsonDocument.Parse(await server.Client.GetStringAsync($"/api/exports?source=ehr1&status=completed&pageSize=2&continuationToken={Uri.EscapeDataString(token!)}"));
        Assert.Equal(["a0"], next.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()).ToList());

        // Under Azure Functions the dashboard adds the function key (?code=) to every call: it is not a filter.
        using var keyed = JsonDocument.Parse(await server.Client.GetStringAsync("/api/exports?source=ehr1&status=completed&pageSize=2&code=functionkey"));
        Assert.Equal(["a2", "a1"], keyed.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()).ToList());

        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("/api/exports?status=sleeping")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("/api/exports?pageSize=100000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("/api/exports?sort=desc")).StatusCode);
    }

    [Fact]
    public async Task Management_urls_follow_the_public_base_url_else_forwarded_headers_and_https_when_required()
    {
        await using (var server = await RunApiServer.StartAsync(new Dictionary<string, string?> { ["RunApi:PublicBaseUrl"] = "https://ingest.example.org/pipeline" }))
        {
            server.Durable.Add("r1", OrchestrationRuntimeStatus.Running);
            var response = await server.Client.GetAsync("/api/exports/r1");
            Assert.Equal(new Uri("https://ingest.example.org/pipeline/api/exports/r1"), response.Headers.Location);
        }
        await using (var server = await RunApiServer.StartAsync(new Dictionary<string, string?> { ["RunApi:RequireHttps"] = "true" }))
        {
            server.Durable.Add("r1", OrchestrationRuntimeStatus.Running);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/exports/r1");
            request.Headers.Add("X-Forwarded-Proto", "http");
            request.Headers.Add("X-Forwarded-Host", "proxy.example.org:8443");
            var response = await server.Client.SendAsync(request);
            Assert.Equal(new Uri("https://proxy.example.org:8443/api/exports/r1"), response.Headers.Location);

            using var smuggled = new HttpRequestMessage(HttpMethod.Get, "/api/exports/r1");
            smuggled.Headers.Add("X-Forwarded-Host", "evil.example/path?x=");
            Assert.Equal(new Uri("https://localhost/api/exports/r1"), (await server.Client.SendAsync(smuggled)).Headers.Location);
        }
    }
}
