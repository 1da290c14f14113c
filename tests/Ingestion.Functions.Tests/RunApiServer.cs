using System.Security.Cryptography;
using Ingestion.Orchestration;
using Ingestion.RunApi;
using Ingestion.Storage.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Functions.Tests;

/// <summary>
/// The run API's endpoints on an ASP.NET Core test server with the real wiring (AddExportPipeline + AddRunApi: named
/// sources, SQLite run catalog, key pin, ExportRunStarter) over a fake Durable client. Source "ehr1" points at a
/// loopback listener that counts connections.
/// </summary>
internal sealed class RunApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;

    private RunApiServer(WebApplication app, string folder, FakeDurableTaskClient durable, LoopbackEhr ehr)
    {
        _app = app;
        _folder = folder;
        Durable = durable;
        Ehr = ehr;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }
    public FakeDurableTaskClient Durable { get; }
    public LoopbackEhr Ehr { get; }
    public IRunCatalog Catalog => _app.Services.GetRequiredService<IRunCatalog>();
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the server. <paramref name="configure"/> adds services; <paramref name="map"/> maps the endpoints under
    /// test with the fake Durable client (default: the run API's own endpoints).
    /// </summary>
    public static async Task<RunApiServer> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? time = null,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication, DurableTaskClient>? map = null)
    {
        var folder = Directory.CreateTempSubdirectory("runapi-").FullName;
        var ehr = new LoopbackEhr();
        var durable = new FakeDurableTaskClient();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sources:ehr1:FhirBaseUrl"] = ehr.BaseUrl.ToString(),
            ["Sources:ehr1:Types:0"] = "Patient",
            ["Storage:LakePath"] = Path.Combine(folder, "lake"),
            ["Deid:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        if (time is not null) builder.Services.AddSingleton(time);
        builder.Services.AddExportPipeline(builder.Configuration);
        builder.Services.AddRunApi(builder.Configuration);
        builder.Services.AddSingleton<DurableTaskClient>(durable);
        configure?.Invoke(builder);
        var app = builder.Build();
        if (map is null) app.MapRunApi();
        else map(app, durable);
        await app.StartAsync();
        return new RunApiServer(app, folder, durable, ehr);
    }

    /// <summary>The inputs of the runs the API scheduled.</summary>
    public IReadOnlyList<ExportRunInput> ScheduledInputs => Durable.Scheduled.Select(s => (ExportRunInput)s.Input!).ToList();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Ehr.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
