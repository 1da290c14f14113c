using Azure.Core;
using Azure.Identity;
using Ingestion.Azure.Blobs;
using Ingestion.Azure.Cosmos;
using Ingestion.Azure.ServiceBus;
using Ingestion.Azure.Storage;
using Ingestion.Storage;
using Microsoft.Azure.Cosmos;

namespace Ingestion.Azure.Configuration;

/// <summary>
/// The storage interfaces built on Azure from <see cref="AzureSettings"/>: lake and quarantine (Blob), run catalog
/// store (Cosmos DB) and run events (Service Bus, when a namespace is configured).
/// Owns the Cosmos client; dispose it with the host.
/// </summary>
public sealed class AzureAdapters : IDisposable
{
    private readonly CosmosClient _cosmos;

    private AzureAdapters(BlobLake lake, BlobLake quarantine, CosmosStateStore stateStore, ServiceBusRunEventPublisher? events, CosmosClient cosmos)
    {
        Lake = lake;
        Quarantine = quarantine;
        StateStore = stateStore;
        RunEvents = events;
        _cosmos = cosmos;
    }

    public BlobLake Lake { get; }
    public BlobLake Quarantine { get; }
    public CosmosStateStore StateStore { get; }

    /// <summary>Null when no Service Bus namespace is configured (the host then logs run events instead).</summary>
    public ServiceBusRunEventPublisher? RunEvents { get; }

    /// <summary>
    /// Builds the adapters and creates containers and the Cosmos container when absent (idempotent; in
    /// Azure the Bicep template has created them already). <paramref name="credential"/> defaults to
    /// DefaultAzureCredential (managed identity in Azure, developer sign-in locally).
    /// </summary>
    public static async Task<AzureAdapters> CreateAsync(AzureSettings settings, TokenCredential? credential = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        credential ??= new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = settings.ManagedIdentityClientId });

        var blobOptions = new BlobStorageClientOptions { BlockSize = settings.Blob.BlockSizeMb * 1024 * 1024, MaxConcurrency = settings.Blob.MaxConcurrency };
        var blobs = settings.Blob.ConnectionString is { Length: > 0 } blobConnection
            ? BlobStorageClient.FromConnectionString(blobConnection, blobOptions)
            : new BlobStorageClient(Required(settings.Blob.ServiceUri, "Azure:Blob:ServiceUri"), StorageCredential.EntraId(credential), blobOptions);
        var lake = new BlobLake(blobs, settings.Blob.LakeContainer, settings.Blob.LakePrefix);
        var quarantine = new BlobLake(blobs, settings.Blob.QuarantineContainer);

        var cosmos = settings.Cosmos.ConnectionString is { Length: > 0 } cosmosConnection
            ? CosmosClientFactory.FromConnectionString(cosmosConnection)
            : CosmosClientFactory.FromTokenCredential(Required(settings.Cosmos.Endpoint, "Azure:Cosmos:Endpoint"), credential);
        try
        {
            await lake.EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
            await quarantine.EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
            var stateStore = await CosmosStateStore.CreateAsync(cosmos,
                new CosmosStateStoreOptions { DatabaseId = settings.Cosmos.Database, ContainerId = settings.Cosmos.Container }, cancellationToken).ConfigureAwait(false);

            ServiceBusRunEventPublisher? events = null;
            if (settings.ServiceBus.Namespace is { Length: > 0 } ns)
            {
                var endpoint = ns.Contains("://", StringComparison.Ordinal) ? new Uri(ns) : new Uri($"https://{ns}/");
                var busCredential = settings.ServiceBus.SharedAccessKeyName is { Length: > 0 } keyName && settings.ServiceBus.SharedAccessKey is { Length: > 0 } key
                    ? ServiceBusCredential.SharedAccessKey(keyName, key)
                    : ServiceBusCredential.EntraId(credential);
                events = new ServiceBusRunEventPublisher(new ServiceBusSenderClient(endpoint, settings.ServiceBus.Entity, busCredential));
            }
            return new AzureAdapters(lake, quarantine, stateStore, events, cosmos);
        }
        catch
        {
            cosmos.Dispose();
            throw;
        }
    }

    private static Uri Required(Uri? value, string setting) =>
        value ?? throw new InvalidOperationException($"Setting {setting} (or the matching ConnectionString) is required for the Azure host.");

    public void Dispose() => _cosmos.Dispose();
}
