using System.Text.Json.Nodes;
using Azure.Identity;
using Ingestion.Azure.Configuration;
using Ingestion.Azure.Identity;
using Ingestion.Azure.Tests.Fixtures;
using Ingestion.Storage;
using Ingestion.Testing.StandIns;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Azure.Tests.Configuration;

[Collection(AzuriteCollection.Name)]
public sealed class AzureAdaptersTests(AzuriteFixture azurite, CosmosFixture cosmos) : IClassFixture<CosmosFixture>
{
    private static AzureSettings Bind(Dictionary<string, string?> appSettings) =>
        new ConfigurationBuilder().AddInMemoryCollection(appSettings).Build().Get<AzureSettings>()!;

    [Fact]
    public async Task Functions_style_settings_wire_the_lake_its_separate_quarantine_and_the_state_store_on_the_stand_ins()
    {
        var settings = Bind(new()
        {
            ["Lake:ConnectionString"] = azurite.Azurite.ConnectionString,
            ["Lake:Container"] = AzuriteFixture.UniqueName("lake"),
            ["Quarantine:ConnectionString"] = azurite.Azurite.ConnectionString,
            ["Quarantine:Container"] = AzuriteFixture.UniqueName("quarantine"),
            ["Cosmos:ConnectionString"] = cosmos.ConnectionString,
            ["Cosmos:Database"] = "adapters" + Guid.NewGuid().ToString("N")[..8],
            ["Cosmos:TimeToLive:file"] = "30.00:00:00",
        });

        await using var adapters = await AzureAdapters.CreateAsync(settings);
        await adapters.Lake.WriteAsync("probe.json", "{}"u8.ToArray());
        await adapters.StateStore.CreateAsync(new StateDocument("run-1", "run", "run", new JsonObject()));

        Assert.NotNull(await adapters.Lake.GetAsync("probe.json"));
        Assert.Null(await adapters.Quarantine.GetAsync("probe.json")); // its own container
        Assert.NotNull(await adapters.StateStore.GetAsync("run-1", "run"));
        Assert.Null(adapters.RunEvents); // no namespace: events are logged by the host instead
        Assert.DoesNotContain(AzuriteProcess.AccountKey, adapters.Lake.Location);
        Assert.Equal(TimeSpan.FromDays(30), settings.Cosmos.TimeToLive["file"]);
    }

    [Fact]
    public void Identity_settings_bind_from_the_functions_style_names()
    {
        var settings = Bind(new()
        {
            ["Lake:ServiceUri"] = "https://lakeacct.blob.core.windows.net/",
            ["Lake:credential"] = "managedidentity",
            ["Lake:clientId"] = "00000000-0000-0000-0000-000000000001",
            ["ServiceBus:FullyQualifiedNamespace"] = "bus.servicebus.windows.net",
        });

        Assert.Equal("managedidentity", settings.Lake.Credential);
        Assert.Equal("00000000-0000-0000-0000-000000000001", settings.Lake.ClientId);
        Assert.IsType<ManagedIdentityCredential>(ServiceCredential.For(settings.Lake, "Lake"));
        Assert.IsType<ManagedIdentityCredential>(ServiceCredential.For(settings.ServiceBus, "ServiceBus")); // the default
        Assert.IsType<DefaultAzureCredential>(ServiceCredential.For(new BlobLakeSettings { Credential = "developer" }, "Lake"));
    }

    [Fact]
    public void An_unknown_credential_kind_names_the_setting()
    {
        var error = Assert.Throws<AzureConfigurationException>(() => ServiceCredential.For(new CosmosSettings { Credential = "accountkey" }, "Cosmos"));

        Assert.Equal(AzureConfigurationException.UnknownCredential, error.ErrorCode);
        Assert.Contains("Cosmos__credential", error.Message);
    }

    [Fact]
    public async Task A_connection_string_for_a_real_account_is_refused_so_no_key_reaches_production_settings()
    {
        var settings = new AzureSettings
        {
            Lake = { ConnectionString = "DefaultEndpointsProtocol=https;AccountName=lakeacct;AccountKey=" + AzuriteProcess.AccountKey + ";EndpointSuffix=core.windows.net" },
        };

        var error = await Assert.ThrowsAsync<AzureConfigurationException>(() => AzureAdapters.CreateAsync(settings));

        Assert.Equal(AzureConfigurationException.ConnectionStringNotLocal, error.ErrorCode);
        Assert.Contains("Lake__ServiceUri", error.Message);
        Assert.DoesNotContain(AzuriteProcess.AccountKey, error.Message);
    }

    [Fact]
    public async Task A_cosmos_connection_string_for_a_real_account_is_refused()
    {
        var settings = new AzureSettings
        {
            Lake = { ConnectionString = azurite.Azurite.ConnectionString },
            Cosmos = { ConnectionString = "AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey=" + AzuriteProcess.AccountKey + ";" },
        };

        var error = await Assert.ThrowsAsync<AzureConfigurationException>(() => AzureAdapters.CreateAsync(settings));

        Assert.Equal(AzureConfigurationException.ConnectionStringNotLocal, error.ErrorCode);
    }

    [Fact]
    public async Task A_missing_endpoint_names_the_setting_to_fill_in()
    {
        var error = await Assert.ThrowsAsync<AzureConfigurationException>(() => AzureAdapters.CreateAsync(new AzureSettings()));

        Assert.Equal(AzureConfigurationException.MissingEndpoint, error.ErrorCode);
        Assert.Contains("Lake__ServiceUri", error.Message);
    }
}
