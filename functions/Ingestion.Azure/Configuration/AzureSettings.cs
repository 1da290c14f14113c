namespace Ingestion.Azure.Configuration;

/// <summary>
/// The "Azure" configuration section (app settings Azure__Blob__ServiceUri, ...). In Azure every service is
/// reached by endpoint + managed identity (no keys); locally the *ConnectionString settings point at Azurite and
/// the Cosmos stand-in. A connection string, when set, wins over the endpoint. Secrets never live here: the
/// Service Bus key, if a deployment uses one, comes from Key Vault references.
/// </summary>
public sealed class AzureSettings
{
    public const string SectionName = "Azure";

    /// <summary>Client id of a user-assigned managed identity; empty = system-assigned / developer credential.</summary>
    public string? ManagedIdentityClientId { get; set; }

    public BlobSettings Blob { get; set; } = new();
    public QueueSettings Queue { get; set; } = new();
    public CosmosSettings Cosmos { get; set; } = new();
    public ServiceBusSettings ServiceBus { get; set; } = new();

    public sealed class BlobSettings
    {
        /// <summary>e.g. https://account.blob.core.windows.net/ (ADLS Gen2 accounts: their Blob endpoint).</summary>
        public Uri? ServiceUri { get; set; }
        /// <summary>"UseDevelopmentStorage=true" for Azurite.</summary>
        public string? ConnectionString { get; set; }
        public string LakeContainer { get; set; } = "lake";
        /// <summary>Optional folder inside the lake container.</summary>
        public string? LakePrefix { get; set; }
        /// <summary>Holds PHI: a separate container with its own access policy.</summary>
        public string QuarantineContainer { get; set; } = "quarantine";
        public int BlockSizeMb { get; set; } = 8;
        public int MaxConcurrency { get; set; } = 4;
    }

    public sealed class QueueSettings
    {
        public Uri? ServiceUri { get; set; }
        public string? ConnectionString { get; set; }
        public string Name { get; set; } = "ingestion-work";
        public int MaxDequeueCount { get; set; } = 5;
    }

    public sealed class CosmosSettings
    {
        /// <summary>e.g. https://account.documents.azure.com:443/</summary>
        public Uri? Endpoint { get; set; }
        /// <summary>"AccountEndpoint=http://127.0.0.1:8081/;AccountKey=..." for the stand-in.</summary>
        public string? ConnectionString { get; set; }
        public string Database { get; set; } = "ingestion";
        public string Container { get; set; } = "state";
    }

    public sealed class ServiceBusSettings
    {
        /// <summary>Fully qualified namespace, e.g. my-bus.servicebus.windows.net; empty = run events are not sent to Service Bus.</summary>
        public string? Namespace { get; set; }
        public string Entity { get; set; } = "ingestion-runs";
        /// <summary>Only when not using managed identity; the key itself comes from Key Vault.</summary>
        public string? SharedAccessKeyName { get; set; }
        public string? SharedAccessKey { get; set; }
    }
}
