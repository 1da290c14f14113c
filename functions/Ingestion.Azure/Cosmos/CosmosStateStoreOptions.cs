namespace Ingestion.Azure.Cosmos;

/// <summary>Where <see cref="CosmosStateStore"/> keeps its documents.</summary>
public sealed class CosmosStateStoreOptions
{
    public string DatabaseId { get; set; } = "ingestion";

    public string ContainerId { get; set; } = "state";

    /// <summary>Throughput when the store creates its container (null = the account's default / serverless).</summary>
    public int? ThroughputOnCreate { get; set; }

    /// <summary>Documents per query page (bounds memory of one page).</summary>
    public int QueryPageSize { get; set; } = 100;

    /// <summary>Attempts of the read-modify-replace fallback of IncrementAsync under contention.</summary>
    public int MaxIncrementAttempts { get; set; } = 20;
}
