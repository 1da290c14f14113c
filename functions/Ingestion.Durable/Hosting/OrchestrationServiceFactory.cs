using Azure.Core;
using Azure.Identity;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Ingestion.Durable.InMemory;
using Microsoft.Extensions.Logging;

namespace Ingestion.Durable.Hosting;

/// <summary>Builds the DTFx backend that <see cref="DurableHostOptions"/> describes.</summary>
internal static class OrchestrationServiceFactory
{
    public static IOrchestrationService Create(DurableHostOptions options, ILoggerFactory loggerFactory, TimeProvider time) =>
        options.EffectiveBackend switch
        {
            DurableBackend.InMemory => new InMemoryOrchestrationService(
                new InMemoryOrchestrationServiceOptions
                {
                    MaxConcurrentActivities = options.MaxConcurrentActivities,
                    MaxConcurrentOrchestrations = options.MaxConcurrentOrchestrations,
                }, time),
            DurableBackend.AzureStorage => new AzureStorageOrchestrationService(AzureStorageSettings(options, loggerFactory)),
            var other => throw new ArgumentOutOfRangeException(nameof(options), other, "Unknown Durable backend."),
        };

    internal static AzureStorageOrchestrationServiceSettings AzureStorageSettings(DurableHostOptions options, ILoggerFactory loggerFactory)
    {
        if (string.IsNullOrWhiteSpace(options.StorageConnection))
            throw new InvalidOperationException(
                $"{DurableHostOptions.SectionName}:StorageConnection is required for the AzureStorage backend (UseDevelopmentStorage=true, a connection string, or an account name/URI).");
        return new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = StorageAccount(options),
            TaskHubName = options.TaskHubName,
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations,
            PartitionCount = options.PartitionCount,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            WorkerId = options.WorkerId ?? $"{Environment.MachineName}-{Environment.ProcessId}",
            LoggerFactory = loggerFactory,
        };
    }

    private static StorageAccountClientProvider StorageAccount(DurableHostOptions options)
    {
        var connection = options.StorageConnection!.Trim();
        if (connection.Contains('=')) return new StorageAccountClientProvider(connection); // a connection string
        TokenCredential credential = string.IsNullOrWhiteSpace(options.ManagedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ManagedIdentityClientId));
        if (!Uri.TryCreate(connection, UriKind.Absolute, out var blob))
            return new StorageAccountClientProvider(connection, credential); // an account name
        // A blob service URI: the queue and table endpoints of the same account follow the Azure naming rule.
        static Uri Service(Uri blob, string service) =>
            new UriBuilder(blob) { Host = blob.Host.Replace(".blob.", $".{service}.", StringComparison.OrdinalIgnoreCase) }.Uri;
        return new StorageAccountClientProvider(blob, Service(blob, "queue"), Service(blob, "table"), credential);
    }
}
