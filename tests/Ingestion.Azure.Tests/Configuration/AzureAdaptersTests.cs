using System.Text.Json.Nodes;
using Ingestion.Azure.Configuration;
using Ingestion.Azure.Storage;
using Ingestion.Azure.Tests.Fixtures;
using Ingestion.Storage;
using Ingestion.Testing.StandIns;

namespace Ingestion.Azure.Tests.Configuration;

[Collection(AzuriteCollection.Name)]
public sealed class AzureAdaptersTests(AzuriteFixture azurite, CosmosFixture cosmos) : IClassFixture<CosmosFixture>
{
    [Fact]
    public async Task Local_connection_strings_wire_every_adapter_and_create_what_is_missing()
    {
        await using var listener = new RecordingHttpListener();
        var settings = new AzureSettings
        {
            Blob = { ConnectionString = azurite.Azurite.ConnectionString, LakeContainer = AzuriteFixture.UniqueName("lake"), QuarantineContainer = AzuriteFixture.UniqueName("quarantine") },
            Cosmos = { ConnectionString = cosmos.ConnectionString },
            ServiceBus = { Namespace = listener.Endpoint.AbsoluteUri, SharedAccessKeyName = "send", SharedAccessKey = "local-test-key" },
        };

        using var adapters = await AzureAdapters.CreateAsync(settings);
        await adapters.Lake.WriteAsync("probe.json", "{}"u8.ToArray());
        await adapters.Quarantine.WriteAsync("probe.json", "{}"u8.ToArray());
        await adapters.StateStore.CreateAsync(new StateDocument("run-1", "run", "run", new JsonObject()));
        await adapters.RunEvents!.PublishAsync(new RunEvent("run-1:RunStarted", RunEventType.RunStarted, "run-1", "test", DateTimeOffset.UtcNow));

        Assert.NotNull(await adapters.Lake.GetAsync("probe.json"));
        Assert.NotNull(await adapters.StateStore.GetAsync("run-1", "run"));
        Assert.Single(listener.Requests);
        Assert.DoesNotContain(AzuriteProcess.AccountKey, adapters.Lake.Location);
    }

    [Fact]
    public async Task A_missing_endpoint_names_the_setting_to_fill_in()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AzureAdapters.CreateAsync(new AzureSettings(), new RecordingTokenCredential()));

        Assert.Contains("Azure:Blob:ServiceUri", error.Message);
    }

    [Fact]
    public void The_development_storage_shortcut_points_at_azurite_s_default_ports()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true");

        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1/"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1/"), parsed.QueueEndpoint);
        Assert.Equal("SharedKey", parsed.Credential.Kind);
    }

    [Fact]
    public void An_account_connection_string_derives_the_https_endpoints()
    {
        var parsed = StorageConnectionString.Parse("DefaultEndpointsProtocol=https;AccountName=lakeacct;AccountKey=" + AzuriteProcess.AccountKey + ";EndpointSuffix=core.windows.net");

        Assert.Equal(new Uri("https://lakeacct.blob.core.windows.net/"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("https://lakeacct.queue.core.windows.net/"), parsed.QueueEndpoint);
        Assert.DoesNotContain(AzuriteProcess.AccountKey, parsed.ToString());
    }
}
