using System.Text.Json.Nodes;
using Ingestion.Azure.Cosmos;
using Ingestion.Azure.Tests.Events;
using Ingestion.Azure.Tests.Fixtures;
using Ingestion.Storage;
using Ingestion.Storage.Embedded;
using Ingestion.Testing;

namespace Ingestion.Azure.Tests.Contracts;

public sealed class SqliteStateStoreTimeToLiveTests
{
    [Fact]
    public async Task File_documents_expire_after_their_time_to_live_and_runs_stay()
    {
        var clock = new ManualTimeProvider();
        using var store = new SqliteStateStore(new SqliteStateStoreOptions
        {
            DatabasePath = SqliteStateStoreOptions.InMemory,
            TimeToLive = new Dictionary<string, TimeSpan> { ["file"] = TimeSpan.FromDays(30) },
        }, clock);
        await store.CreateAsync(new StateDocument("run-1", "file/0001", "file", new JsonObject()));
        await store.CreateAsync(new StateDocument("run-1", "run", "run", new JsonObject()));

        clock.Advance(TimeSpan.FromDays(29));
        Assert.NotNull(await store.GetAsync("run-1", "file/0001"));
        clock.Advance(TimeSpan.FromDays(2));

        Assert.Null(await store.GetAsync("run-1", "file/0001"));
        Assert.NotNull(await store.GetAsync("run-1", "run"));
        var left = new List<string>();
        await foreach (var d in store.QueryPartitionAsync("run-1")) left.Add(d.Id);
        Assert.Equal(["run"], left);
        await store.CreateAsync(new StateDocument("run-1", "file/0001", "file", new JsonObject())); // the expired id is free again
    }

    [Fact]
    public async Task An_older_database_file_gains_the_expiry_column()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("state-ttl-").FullName, "old.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE state_documents (partition TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, etag TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (partition, id));"
                + "INSERT INTO state_documents VALUES ('run-1', 'run', 'run', '{}', 'e1', '2026-01-01T00:00:00.0000000Z');";
            command.ExecuteNonQuery();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        using var store = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = path });

        Assert.NotNull(await store.GetAsync("run-1", "run"));
        await store.CreateAsync(new StateDocument("run-1", "file/1", "file", new JsonObject()));
    }
}

[Collection(CosmosCollection.Name)]
public sealed class CosmosStateStoreTimeToLiveAndChargeTests(CosmosFixture cosmos)
{
    [Fact]
    public async Task File_and_audit_items_carry_their_ttl_and_run_items_none()
    {
        var store = await cosmos.CreateStoreAsync(new Dictionary<string, TimeSpan> { ["file"] = TimeSpan.FromDays(30), ["audit"] = TimeSpan.FromHours(1.5) });
        await store.CreateAsync(new StateDocument("run-1", "file/0001", "file", new JsonObject()));
        await store.UpsertAsync(new StateDocument("run-1", "audit/0001", "audit", new JsonObject()));
        await store.CreateAsync(new StateDocument("run-1", "run", "run", new JsonObject()));

        Assert.Equal(30 * 86400, await RawTtlAsync(store, "file~2F0001"));
        Assert.Equal(5400, await RawTtlAsync(store, "audit~2F0001"));
        Assert.Null(await RawTtlAsync(store, "run"));
        Assert.Equal(-1, (await store.Container.ReadContainerAsync()).Resource.DefaultTimeToLive); // expiry on, per item only
    }

    [Fact]
    public async Task Request_charges_are_tallied_and_logged_per_operation_kind_without_ids()
    {
        var logger = new RecordingLogger<CosmosStateStore>();
        var store = await cosmos.CreateStoreAsync(logger: logger);
        await store.CreateAsync(new StateDocument("run-secret", "file/Patient-123", "file", new JsonObject { ["counters"] = new JsonObject { ["n"] = 0 } }));
        await store.GetAsync("run-secret", "file/Patient-123");
        await store.IncrementAsync("run-secret", "file/Patient-123", [new("/counters/n", 1)]);
        await foreach (var _ in store.QueryPartitionAsync("run-secret")) { }

        var tally = store.RequestCharges.Snapshot();

        Assert.Equal(1, tally["create"].Calls);
        Assert.True(tally["read"].Calls >= 1);
        Assert.Equal(1, tally["patch"].Calls);
        Assert.True(tally["query"].Calls >= 1);
        Assert.Contains(logger.Entries, e => e.Message.StartsWith("Cosmos patch", StringComparison.Ordinal) && e.Message.EndsWith(" RU", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("Patient-123", StringComparison.Ordinal) || e.Message.Contains("run-secret", StringComparison.Ordinal));
    }

    private static async Task<long?> RawTtlAsync(CosmosStateStore store, string escapedId)
    {
        var item = await store.Container.ReadItemAsync<Newtonsoft.Json.Linq.JObject>(escapedId, new Microsoft.Azure.Cosmos.PartitionKey("run-1"));
        return item.Resource.TryGetValue("ttl", out var ttl) ? ttl.ToObject<long>() : null;
    }
}
