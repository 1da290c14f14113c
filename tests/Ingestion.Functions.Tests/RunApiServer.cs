using Ingestion.RunApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Functions.Tests;

/// <summary>The run API's endpoints on an ASP.NET Core test server, over a fake Durable client and a given launcher.</summary>
internal sealed class RunApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunApiServer(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public static async Task<RunApiServer> StartAsync(FakeDurableTaskClient durable, IExportRunLauncher launcher, IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        if (time is not null) builder.Services.AddSingleton(time);
        builder.Services.AddRunApi(builder.Configuration);
        builder.Services.AddSingleton(launcher);
        builder.Services.AddSingleton<DurableTaskClient>(durable);
        var app = builder.Build();
        app.MapRunApi();
        await app.StartAsync();
        return new RunApiServer(app, app.GetTestClient());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
