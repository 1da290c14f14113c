using Ingestion.Azure.Tests.Fixtures;
using Ingestion.Storage;
using Ingestion.Storage.Embedded;

namespace Ingestion.Azure.Tests.Contracts;

public sealed class SqliteStateStoreContractTests : StateStoreContract, IDisposable
{
    private readonly List<SqliteStateStore> _stores = [];

    protected override Task<IStateStore> CreateStoreAsync()
    {
        var store = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = SqliteStateStoreOptions.InMemory });
        _stores.Add(store);
        return Task.FromResult<IStateStore>(store);
    }

    public void Dispose() => _stores.ForEach(s => s.Dispose());
}

[Collection(CosmosCollection.Name)]
public sealed class CosmosStateStoreContractTests(CosmosFixture cosmos) : StateStoreContract
{
    protected override async Task<IStateStore> CreateStoreAsync() => await cosmos.CreateStoreAsync();
}
