using System.Net;
using System.Text;
using System.Text.Json;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Functions.Tests.Wrappers;

/// <summary>
/// Each HTTP function, reached through its own trigger route and methods on a test server (<see cref="HttpFunctionHost"/>),
/// calls the run API operation its name promises with its Durable client.
/// </summary>
public sealed class HttpFunctionTests
{
    private static StringContent Start(string source = "ehr1") => new($$"""{"source":"{{source}}"}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task Start_schedules_a_run_of_the_source_and_answers_the_management_payload()
    {
        await using var host = await HttpFunctionHost.StartAsync();
        var response = await host.Client.PostAsync("/api/exports", Start());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var payload = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var scheduled = Assert.Single(host.Durable.Scheduled);
        Assert.Equal(payload.RootElement.GetProperty("id").GetString(), scheduled.InstanceId);
        Assert.Equal("ExportOrchestrator", scheduled.Name.Name);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.PostAsync("/api/exports", Start("nope"))).StatusCode);
        Assert.Equal(0, host.Ehr.Connections);
    }

    [Fact]
    public async Task Status_cancel_terminate_restart_and_purge_reach_the_durable_client_for_the_routes_run()
    {
        await using var host = await HttpFunctionHost.StartAsync();
        host.Durable.Add("running", OrchestrationRuntimeStatus.Running);
        host.Durable.Add("done", OrchestrationRuntimeStatus.Completed);

        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.GetAsync("/api/exports/running")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/exports/done")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.PostAsync("/api/exports/running/events/Cancel", null)).StatusCode);
        Assert.Equal(("running", "Cancel"), Assert.Single(host.Durable.RaisedEvents) is var e ? (e.InstanceId, e.EventName) : default);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.PostAsync("/api/exports/running/terminate", null)).StatusCode);
        Assert.Equal(["running"], host.Durable.Terminated);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.PostAsync("/api/exports/done/restart", null)).StatusCode);
        Assert.True(host.Durable.Instances.ContainsKey("done-restart"));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.DeleteAsync("/api/exports/done")).StatusCode);
        Assert.Equal(["done"], host.Durable.Purged);
    }

    [Fact]
    public async Task Listing_detail_sources_alerts_trends_health_and_the_dashboard_answer_from_their_functions()
    {
        await using var host = await HttpFunctionHost.StartAsync();
        var catalog = host.Services.GetRequiredService<IRunCatalog>();
        await catalog.CreateRunAsync(new RunRecord { RunId = "r1", SourceId = "ehr1", CreatedAt = DateTimeOffset.UtcNow, KeyFingerprint = "k", Trigger = "api", Status = RunRecordStatus.Failed }, CancellationToken.None);

        using (var list = JsonDocument.Parse(await host.Client.GetStringAsync("/api/exports?source=ehr1")))
            Assert.Equal("r1", list.RootElement.GetProperty("runs")[0].GetProperty("runId").GetString());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/exports/r1/detail")).StatusCode);
        Assert.Contains("ehr1", await host.Client.GetStringAsync("/api/sources"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/alerts")).StatusCode);
        using (var trends = JsonDocument.Parse(await host.Client.GetStringAsync("/api/trends?runs=5")))
            Assert.Equal("r1", trends.RootElement.GetProperty("runs")[0].GetProperty("run").GetProperty("runId").GetString());
        Assert.Contains("ok", await host.Client.GetStringAsync("/api/health"), StringComparison.Ordinal);
        var dashboard = await host.Client.GetAsync("/api/dashboard/");
        Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Retry_failed_files_of_an_unknown_run_is_404_and_schedules_nothing()
    {
        await using var host = await HttpFunctionHost.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.PostAsync("/api/exports/nope/retry-failed", null)).StatusCode);
        Assert.Empty(host.Durable.Scheduled);
    }

    [Fact]
    public void Every_http_function_is_reached_by_these_tests()
    {
        var routes = HttpFunctionHost.HttpFunctions().Select(f => f.Trigger.Route).ToHashSet();
        Assert.Equal(["alerts", "dashboard/{file?}", "exports", "exports/{id}", "exports/{id}/detail", "exports/{id}/events/{eventName}", "exports/{id}/restart",
            "exports/{id}/retry-failed", "exports/{id}/terminate", "health", "sources", "trends"], routes.Order(StringComparer.Ordinal));
    }
}
