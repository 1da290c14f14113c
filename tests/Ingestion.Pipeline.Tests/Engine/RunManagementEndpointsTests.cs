using System.Net;
using System.Text.Json;
using Ingestion.Cli.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingestion.Pipeline.Tests.Engine;

public sealed class RunManagementEndpointsTests
{
    private static Dictionary<string, string> Files() => new() { ["Patient-0"] = "p1\np2", ["Condition-0"] = "c1" };

    [Fact]
    public async Task Status_over_HTTP_is_202_while_running_then_200_with_management_urls_and_cancel_is_accepted()
    {
        var source = new ScriptedExportSource(Files()) { PollsBeforeComplete = 10_000, PollInterval = TimeSpan.FromMilliseconds(20) };
        using var h = new EngineHarness(source);
        var client = h.Client();
        var id = await client.StartNewAsync(EngineHarness.Input());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapRunManagement(client);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var running = h.RunToEndAsync(id);
        while ((await client.GetStatusAsync(id))!.CustomStatus.Progress is null) await Task.Delay(20);

        var during = await http.GetAsync($"{RunManagementEndpoints.Prefix}/{id}");
        Assert.Equal(HttpStatusCode.Accepted, during.StatusCode);
        var body = JsonDocument.Parse(await during.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Running", body.GetProperty("runtimeStatus").GetString());
        var terminate = body.GetProperty("management").GetProperty("terminatePostUri").GetString()!;
        Assert.StartsWith(address, body.GetProperty("management").GetProperty("statusQueryGetUri").GetString());

        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync(terminate, null)).StatusCode);
        await running;
        var after = await http.GetAsync($"{RunManagementEndpoints.Prefix}/{id}?showHistory=true");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var final = JsonDocument.Parse(await after.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Canceled", final.GetProperty("runtimeStatus").GetString());
        Assert.Contains(final.GetProperty("historyEvents").EnumerateArray(), e => e.GetProperty("eventType").GetString() == "RunCanceled");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"{RunManagementEndpoints.Prefix}/no-such-run")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"{RunManagementEndpoints.Prefix}/{id}")).StatusCode);
        Assert.Null(await client.GetStatusAsync(id));
    }
}
