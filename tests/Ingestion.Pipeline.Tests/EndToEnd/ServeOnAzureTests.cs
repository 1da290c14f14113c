using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingestion.Azure.Configuration;
using Ingestion.DemoServer;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;
using Ingestion.Testing.StandIns;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// `serve` in Azure mode, standalone (its own workers): the whole OMOP chain on the Azure adapters — Cosmos DB state
/// (stand-in) and Blob lake (Azurite, through Azure.Storage.Blobs) — started over HTTP and published to Blob.
/// </summary>
public sealed class ServeOnAzureTests
{
    [Fact]
    public async Task An_export_started_over_http_runs_on_cosmos_and_blob_and_is_published_to_the_blob_lake()
    {
        var root = Directory.CreateTempSubdirectory("serve-azure-").FullName;
        CosmosServerProcess.ConfigureClientEnvironment();
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var cosmos = await CosmosServerProcess.StartAsync();
        await using var server = await DemoFhirServer.StartAsync(new DemoServerOptions { Patients = 3, Seed = 5, SpoolDirectory = root });
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var settings = new AzureSettings
        {
            Lake = { ConnectionString = azurite.ConnectionString, Container = "lake" + suffix },
            Quarantine = { Container = "quarantine" + suffix },
            Cosmos = { ConnectionString = cosmos.ConnectionString, Database = "ingestion" + suffix },
        };
        var port = StandInProcess.FreePort();
        var environment = new Dictionary<string, string?>
        {
            ["Host__Mode"] = "Azure",
            ["Lake__ConnectionString"] = settings.Lake.ConnectionString,
            ["Lake__Container"] = settings.Lake.Container,
            ["Quarantine__Container"] = settings.Quarantine.Container,
            ["Cosmos__ConnectionString"] = settings.Cosmos.ConnectionString,
            ["Cosmos__Database"] = settings.Cosmos.Database,
            ["Deid__Key"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Fhir__BaseUrl"] = server.BaseUrl.ToString(),
            ["Fhir__AllowInsecureHttp"] = "true",
            ["Fhir__AllowPrivateNetwork"] = "true",
            ["Pipeline__MaxParallelActivities"] = "2",
            ["Pipeline__IdlePollInterval"] = "00:00:00.100",
        };
        foreach (var name in new[] { "COSMOS_DISABLE_IMDS_ACCESS", "AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX", "AZURE_COSMOS_OPTIMISTIC_DIRECT_EXECUTION_ENABLED" })
        {
            environment[name] = Environment.GetEnvironmentVariable(name);
        }
        await using var serve = await ServeProcess.StartAsync(root, port, ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], environment, TimeSpan.FromSeconds(90));
        try
        {
            var http = serve.Http;
            var deadline = DateTime.UtcNow.AddSeconds(120);
            var started = await http.PostAsJsonAsync("/api/exports", new { types = new[] { "Patient", "Encounter", "Condition" } });
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            HttpResponseMessage status;
            while ((status = await http.GetAsync($"/api/runs/{id}")).StatusCode == HttpStatusCode.Accepted)
            {
                Assert.True(DateTime.UtcNow < deadline, "the run did not finish on the Azure adapters");
                await Task.Delay(250);
            }
            var run = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Completed", run.GetProperty("runtimeStatus").GetString());

            // Published to the Blob lake: the commit manifest lists the person rows the generator produced.
            await using var adapters = await AzureAdapters.CreateAsync(settings);
            await using var manifestStream = await adapters.Lake.OpenReadAsync(LakePaths.RunManifest(id));
            var manifest = (await JsonSerializer.DeserializeAsync<RunManifest>(manifestStream, StateJson.Options))!;
            Assert.Equal(server.Expected.ValidResources["Patient"], manifest.Tables["person"].Rows);
            foreach (var file in manifest.Tables["condition_occurrence"].Files)
            {
                Assert.NotNull(await adapters.Lake.GetAsync(file.Path));
            }
        }
        finally
        {
            await serve.DisposeAsync();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
