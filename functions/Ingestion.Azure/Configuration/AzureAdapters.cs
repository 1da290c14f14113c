using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Ingestion.Azure.Cosmos;
using Ingestion.Azure.Events;
using Ingestion.Azure.Identity;
using Ingestion.Azure.Lake;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Azure.Configuration;

/// <summary>
/// The storage interfaces built on the Azure SDK from <see cref="AzureSettings"/>: lake and quarantine (Blob), state
/// store (Cosmos DB) and run events (Service Bus, when a namespace is configured). Owns the SDK clients; dispose it
/// with the host.
/// </summary>
public sealed class AzureAdapters : IAsyncDisposable
{
    private readonly CosmosClient _cosmos;
    private readonly ServiceBusClient? _serviceBus;

    private AzureAdapters(BlobLake lake, BlobLake quarantine, CosmosStateStore stateStore, ServiceBusRunEventPublisher? events, CosmosClient cosmos, ServiceBusClient? serviceBus)
    {
        Lake = lake;
        Quarantine = quarantine;
        StateStore = stateStore;
        RunEvents = events;
        _cosmos = cosmos;
        _serviceBus = serviceBus;
    }

    public BlobLake Lake { get; }
    public BlobLake Quarantine { get; }
    public CosmosStateStore StateStore { get; }

    /// <summary>Null when no Service Bus namespace is configured (the host then logs run events instead).</summary>
    public ServiceBusRunEventPublisher? RunEvents { get; }

    /// <summary>
    /// Builds the adapters and creates the containers when absent (idempotent; in Azure the Bicep template has created
    /// them already).
    /// </summary>
    public static async Task<AzureAdapters> CreateAsync(AzureSettings settings, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        loggerFactory ??= NullLoggerFactory.Instance;

        var lakeAccount = BlobService(settings.Lake, "Lake");
        var lake = new BlobLake(lakeAccount, LakeOptions(settings.Lake));
        var quarantine = new BlobLake(settings.Quarantine.HasAccount ? BlobService(settings.Quarantine, "Quarantine") : lakeAccount, LakeOptions(settings.Quarantine));

        var cosmos = CosmosClientOf(settings.Cosmos);
        ServiceBusClient? serviceBus = null;
        try
        {
            await lake.EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
            await quarantine.EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
            var stateStore = await CosmosStateStore.CreateAsync(cosmos, new CosmosStateStoreOptions
            {
                DatabaseId = settings.Cosmos.Database,
                ContainerId = settings.Cosmos.Container,
                TimeToLive = settings.Cosmos.TimeToLive,
                // Only the local stand-in (a connection string) gets its container created; in Azure it exists.
                CreateIfNotExists = settings.Cosmos.ConnectionString is { Length: > 0 },
            }, loggerFactory.CreateLogger<CosmosStateStore>(), cancellationToken).ConfigureAwait(false);

            ServiceBusRunEventPublisher? events = null;
            if (settings.ServiceBus.FullyQualifiedNamespace is { Length: > 0 } ns)
            {
                serviceBus = new ServiceBusClient(ns, ServiceCredential.For(settings.ServiceBus, "ServiceBus"), new ServiceBusClientOptions
                {
                    RetryOptions = { Mode = ServiceBusRetryMode.Exponential, MaxRetries = settings.ServiceBus.MaxRetries },
                });
                events = new ServiceBusRunEventPublisher(serviceBus.CreateSender(settings.ServiceBus.Topic), loggerFactory.CreateLogger<ServiceBusRunEventPublisher>());
            }
            return new AzureAdapters(lake, quarantine, stateStore, events, cosmos, serviceBus);
        }
        catch
        {
            cosmos.Dispose();
            if (serviceBus is not null) await serviceBus.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static BlobServiceClient BlobService(BlobLakeSettings settings, string section)
    {
        if (settings.ConnectionString is { Length: > 0 } connectionString)
        {
            var local = new BlobServiceClient(connectionString);
            LocalConnectionString.RequireLoopback(local.Uri, section);
            return local;
        }
        var endpoint = settings.ServiceUri ?? throw new AzureConfigurationException(AzureConfigurationException.MissingEndpoint,
            $"Setting {section}__ServiceUri is required for the Azure host.");
        return new BlobServiceClient(endpoint, ServiceCredential.For(settings, section));
    }

    private static BlobLakeOptions LakeOptions(BlobLakeSettings settings) => new()
    {
        Container = settings.Container,
        Prefix = settings.Prefix,
        BlockSizeBytes = settings.BlockSizeMb * 1024 * 1024,
        MaxConcurrency = settings.MaxConcurrency,
    };

    private static CosmosClient CosmosClientOf(CosmosSettings settings)
    {
        if (settings.ConnectionString is { Length: > 0 } connectionString)
        {
            var local = CosmosClientFactory.FromConnectionString(connectionString);
            LocalConnectionString.RequireLoopback(local.Endpoint, "Cosmos");
            return local;
        }
        var endpoint = settings.AccountEndpoint ?? throw new AzureConfigurationException(AzureConfigurationException.MissingEndpoint,
            "Setting Cosmos__AccountEndpoint is required for the Azure host.");
        return CosmosClientFactory.FromTokenCredential(endpoint, ServiceCredential.For(settings, "Cosmos"));
    }

    public async ValueTask DisposeAsync()
    {
        _cosmos.Dispose();
        if (_serviceBus is not null) await _serviceBus.DisposeAsync().ConfigureAwait(false);
    }
}
