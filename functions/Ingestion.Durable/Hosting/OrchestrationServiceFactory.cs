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
    public static IOrchestrationService Create(
        DurableHostOptions options, ILoggerFactory loggerFactory, TimeProvider time, TokenCredential? credential) =>
        options.EffectiveBackend switch
        {
            DurableBackend.InMemory => new InMemoryOrchestrationService(
                new InMemoryOrchestrationServiceOptions
                {
                    MaxConcurrentActivities = options.MaxConcurrentActivities,
                    MaxConcurrentOrchestrations = options.MaxConcurrentOrchestrations,
                    ExtendedSessions = options.ExtendedSessions,
                    SessionIdleTimeout = options.ExtendedSessionIdleTimeout,
                }, time),
            DurableBackend.AzureStorage => new AzureStorageOrchestrationService(AzureStorageSettings(options, loggerFactory, credential)),
            var other => throw new ArgumentOutOfRangeException(nameof(options), other, "Unknown Durable backend."),
        };

    internal static AzureStorageOrchestrationServiceSettings AzureStorageSettings(
        DurableHostOptions options, ILoggerFactory loggerFactory, TokenCredential? credential)
    {
        if (string.IsNullOrWhiteSpace(options.StorageConnection))
            throw new InvalidOperationException(
                $"{DurableHostOptions.SectionName}:StorageConnection is required for the AzureStorage backend (UseDevelopmentStorage=true, a connection string, or an account name/URI).");
        return new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = StorageAccount(options.StorageConnection!.Trim(), credential),
            TaskHubName = options.TaskHubName,
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations,
            PartitionCount = options.PartitionCount,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            WorkItemQueueVisibilityTimeout = options.MessageVisibilityTimeout,
            ControlQueueVisibilityTimeout = options.MessageVisibilityTimeout,
            LeaseInterval = options.LeaseInterval,
            LeaseRenewInterval = options.LeaseInterval / 3,
            LeaseAcquireInterval = options.LeaseInterval / 3,
            ExtendedSessionsEnabled = options.ExtendedSessions,
            ExtendedSessionIdleTimeout = options.ExtendedSessionIdleTimeout,
            PartitionTableOperationTimeout = options.PartitionTableOperationTimeout,
            WorkerId = options.WorkerId ?? $"{Environment.MachineName}-{Environment.ProcessId}",
            LoggerFactory = loggerFactory,
            // Without it a start for a running instance id is silently dropped; the client must see the refusal.
            ThrowExceptionOnInvalidDedupeStatus = true,
        };
    }

    private static StorageAccountClientProvider StorageAccount(string connection, TokenCredential? configured)
    {
        if (connection.Contains('=')) return new StorageAccountClientProvider(connection); // a connection string
        var credential = configured ?? new DefaultAzureCredential();
        if (!Uri.TryCreate(connection, UriKind.Absolute, out var blob))
            return new StorageAccountClientProvider(connection, credential); // an account name
        // A blob service URI: the queue and table endpoints of the same account follow the Azure naming rule.
        static Uri Service(Uri blob, string service) =>
            new UriBuilder(blob) { Host = blob.Host.Replace(".blob.", $".{service}.", StringComparison.OrdinalIgnoreCase) }.Uri;
        return new StorageAccountClientProvider(blob, Service(blob, "queue"), Service(blob, "table"), credential);
    }
}
