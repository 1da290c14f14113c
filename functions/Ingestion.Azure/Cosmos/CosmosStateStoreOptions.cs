namespace Ingestion.Azure.Cosmos;

/// <summary>Where <see cref="CosmosStateStore"/> keeps its documents.</summary>
public sealed class CosmosStateStoreOptions
{
    public string DatabaseId { get; set; } = "ingestion";

    public string ContainerId { get; set; } = "state";

    /// <summary>
    /// Create the database and container when absent: for the local stand-in only. In Azure the Bicep template creates
    /// them, and the app's data-plane role (no account keys) may not: there the store opens the existing container.
    /// </summary>
    public bool CreateIfNotExists { get; set; }

    /// <summary>Throughput when the store creates its container (null = the account's default / serverless).</summary>
    public int? ThroughputOnCreate { get; set; }

    /// <summary>Documents per query page (bounds memory of one page).</summary>
    public int QueryPageSize { get; set; } = 100;

    /// <summary>Attempts of the read-modify-replace fallback of IncrementAsync under contention.</summary>
    public int MaxIncrementAttempts { get; set; } = 20;

    /// <summary>
    /// Time to live per document kind (e.g. file and audit documents), written as the item's <c>ttl</c> and counted
    /// from its last write. Kinds not listed never expire (runs, watermarks, the run index).
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> TimeToLive { get; set; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
}
