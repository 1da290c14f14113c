using Ingestion.Azure.Cosmos;
using Ingestion.Testing.StandIns;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;

namespace Ingestion.Azure.Tests.Fixtures;

/// <summary>One cosmosdb-server per test collection or class (plain HTTP, 404 patch preloaded), stopped by PID at the end.</summary>
public sealed class CosmosFixture : IAsyncLifetime
{
    private CosmosServerProcess? _server;
    private CosmosClient? _client;

    public CosmosClient Client => _client ?? throw new InvalidOperationException("The Cosmos stand-in is not started.");

    public string ConnectionString => _server?.ConnectionString ?? throw new InvalidOperationException("The Cosmos stand-in is not started.");

    public async Task InitializeAsync()
    {
        CosmosServerProcess.ConfigureClientEnvironment();
        _server = await CosmosServerProcess.StartAsync();
        var options = CosmosClientFactory.DefaultOptions();
        options.RequestTimeout = TimeSpan.FromSeconds(30);
        _client = CosmosClientFactory.FromConnectionString(_server.ConnectionString, options);
    }

    /// <summary>A store in a fresh container, so tests do not see each other's documents.</summary>
    public Task<CosmosStateStore> CreateStoreAsync(IReadOnlyDictionary<string, TimeSpan>? timeToLive = null, ILogger<CosmosStateStore>? logger = null) =>
        CosmosStateStore.CreateAsync(Client, new CosmosStateStoreOptions
        {
            ContainerId = "state-" + Guid.NewGuid().ToString("N")[..12],
            CreateIfNotExists = true,
            QueryPageSize = 3,
            TimeToLive = timeToLive ?? new Dictionary<string, TimeSpan>(),
        }, logger);

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class CosmosCollection : ICollectionFixture<CosmosFixture>
{
    public const string Name = "Cosmos";
}
