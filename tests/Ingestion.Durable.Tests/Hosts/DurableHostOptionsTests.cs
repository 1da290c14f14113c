using Azure.Core;
using Ingestion.Durable.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Durable.Tests.Hosts;

public sealed class DurableHostOptionsTests
{
    private static DurableHostOptions Bind(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return configuration.GetSection(DurableHostOptions.SectionName).Get<DurableHostOptions>() ?? new DurableHostOptions();
    }

    [Fact]
    public void Without_a_storage_connection_runs_use_the_in_memory_backend_and_with_one_Azure_Storage()
    {
        Assert.Equal(DurableBackend.InMemory, Bind().EffectiveBackend);
        Assert.Equal(DurableBackend.AzureStorage, Bind(("Durable:StorageConnection", "UseDevelopmentStorage=true")).EffectiveBackend);
        Assert.Equal(DurableBackend.InMemory,
            Bind(("Durable:StorageConnection", "UseDevelopmentStorage=true"), ("Durable:Backend", "InMemory")).EffectiveBackend);
    }

    [Fact]
    public void Settings_from_configuration_reach_the_Azure_Storage_backend()
    {
        var options = Bind(
            ("Durable:StorageConnection", "UseDevelopmentStorage=true"),
            ("Durable:TaskHubName", "nightly"),
            ("Durable:MaxConcurrentActivities", "7"),
            ("Durable:MaxConcurrentOrchestrations", "9"),
            ("Durable:PartitionCount", "3"),
            ("Durable:LeaseInterval", "00:00:15"),
            ("Durable:ExtendedSessions", "false"),
            ("Durable:PartitionTableOperationTimeout", "00:00:20"));

        var settings = OrchestrationServiceFactory.AzureStorageSettings(options, NullLoggerFactory.Instance, credential: null);

        Assert.Equal("nightly", settings.TaskHubName);
        Assert.Equal(7, settings.MaxConcurrentTaskActivityWorkItems);
        Assert.Equal(9, settings.MaxConcurrentTaskOrchestrationWorkItems);
        Assert.Equal(3, settings.PartitionCount);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.LeaseInterval);
        Assert.True(settings.LeaseRenewInterval < settings.LeaseInterval);
        Assert.True(settings.ThrowExceptionOnInvalidDedupeStatus);
        Assert.False(settings.ExtendedSessionsEnabled);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.PartitionTableOperationTimeout);
        // Two processes on one machine must not share a lease owner name.
        Assert.EndsWith($"-{Environment.ProcessId}", settings.WorkerId);
    }

    [Fact]
    public void By_default_the_Azure_Storage_backend_tolerates_slow_partition_table_operations_and_keeps_orchestrations_in_memory_between_episodes()
    {
        var settings = OrchestrationServiceFactory.AzureStorageSettings(Bind(("Durable:StorageConnection", "UseDevelopmentStorage=true")), NullLoggerFactory.Instance, credential: null);

        Assert.True(settings.ExtendedSessionsEnabled);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.PartitionTableOperationTimeout);
    }

    [Fact]
    public void An_account_URI_uses_the_token_credential_for_the_blob_queue_and_table_endpoints_of_that_account()
    {
        var options = Bind(("Durable:StorageConnection", "https://lakeacct.blob.core.windows.net"));
        var credential = new FixedTokenCredential();

        var provider = OrchestrationServiceFactory.AzureStorageSettings(options, NullLoggerFactory.Instance, credential).StorageAccountClientProvider!;

        Assert.Equal("lakeacct.blob.core.windows.net", provider.Blob.CreateClient(provider.Blob.CreateOptions()).Uri.Host);
        Assert.Equal("lakeacct.queue.core.windows.net", provider.Queue.CreateClient(provider.Queue.CreateOptions()).Uri.Host);
        Assert.Equal("lakeacct.table.core.windows.net", provider.Table.CreateClient(provider.Table.CreateOptions()).Uri.Host);
    }

    [Fact]
    public void The_Azure_Storage_backend_without_a_connection_says_which_setting_is_missing()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            OrchestrationServiceFactory.AzureStorageSettings(Bind(("Durable:Backend", "AzureStorage")), NullLoggerFactory.Instance, null));
        Assert.Contains("Durable:StorageConnection", error.Message);
    }

    private sealed class FixedTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
