using Azure.Core;
using Microsoft.Azure.Cosmos;

namespace Ingestion.Azure.Cosmos;

/// <summary>
/// Creates the <see cref="CosmosClient"/> the state store expects: Gateway mode (HTTPS only; Direct mode's TCP
/// ports are not reachable from Functions consumption plans nor served by the stand-in) and LimitToEndpoint
/// (no region discovery: the stand-in and private endpoints answer only on the configured address).
/// </summary>
public static class CosmosClientFactory
{
    public static CosmosClientOptions DefaultOptions() => new()
    {
        ConnectionMode = ConnectionMode.Gateway,
        LimitToEndpoint = true,
        ApplicationName = "ingestion",
    };

    /// <summary>From "AccountEndpoint=...;AccountKey=...;" (local stand-in, or an account with keys).</summary>
    public static CosmosClient FromConnectionString(string connectionString, CosmosClientOptions? options = null) =>
        new(connectionString, options ?? DefaultOptions());

    /// <summary>From an endpoint and Microsoft Entra ID (managed identity in Azure).</summary>
    public static CosmosClient FromTokenCredential(Uri endpoint, TokenCredential credential, CosmosClientOptions? options = null) =>
        new(endpoint.AbsoluteUri, credential, options ?? DefaultOptions());
}
