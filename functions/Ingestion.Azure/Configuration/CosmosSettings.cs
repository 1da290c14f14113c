using Ingestion.Azure.Identity;

namespace Ingestion.Azure.Configuration;

/// <summary>The <c>Cosmos</c> section: the run catalog's account, database and container.</summary>
public sealed class CosmosSettings : ServiceIdentitySettings
{
    /// <summary>e.g. https://account.documents.azure.com:443/</summary>
    public Uri? AccountEndpoint { get; set; }

    public string Database { get; set; } = "ingestion";

    public string Container { get; set; } = "state";

    /// <summary>Time to live per document kind (e.g. <c>Cosmos__TimeToLive__file = 90.00:00:00</c>); other kinds never expire.</summary>
    public Dictionary<string, TimeSpan> TimeToLive { get; set; } = new(StringComparer.Ordinal);
}
