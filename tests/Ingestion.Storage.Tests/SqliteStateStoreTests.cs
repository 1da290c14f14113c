using System.Text.Json.Nodes;
using Ingestion.Storage.Embedded;

namespace Ingestion.Storage.Tests;

public sealed class SqliteStateStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string DatabasePath => Path.Combine(_folder.Path, "state.db");

    [Fact]
    public async Task Documents_survive_reopening_the_database_file()
    {
        using (var store = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = DatabasePath }))
        {
            await store.CreateAsync(new StateDocument("run-1", "run", "run", new JsonObject { ["phase"] = "Polling" }));
        }

        using var reopened = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = DatabasePath });
        var document = await reopened.GetAsync("run-1", "run");

        Assert.NotNull(document);
        Assert.Equal("Polling", (string?)document.Body["phase"]);
        Assert.False(string.IsNullOrEmpty(document.ETag));
    }

    [Fact]
    public async Task A_replace_with_a_stale_etag_is_rejected_and_changes_nothing()
    {
        using var store = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = DatabasePath });
        var created = await store.CreateAsync(new StateDocument("run-1", "run", "run", new JsonObject { ["n"] = 1 }));
        await store.ReplaceAsync(created with { Body = new JsonObject { ["n"] = 2 } }, created.ETag!);

        await Assert.ThrowsAsync<StateConflictException>(() => store.ReplaceAsync(created with { Body = new JsonObject { ["n"] = 3 } }, created.ETag!));
        Assert.Equal(2, (int?)(await store.GetAsync("run-1", "run"))!.Body["n"]);
        await Assert.ThrowsAsync<StateNotFoundException>(() => store.ReplaceAsync(created with { Id = "missing" }, created.ETag!));
    }

    [Fact]
    public async Task Concurrent_increments_from_two_store_instances_lose_no_update()
    {
        using var first = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = DatabasePath });
        using var second = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = DatabasePath });
        await first.CreateAsync(new StateDocument("run-1", "counters", "counters", new JsonObject()));

        var tasks = Enumerable.Range(0, 100).Select(i => Task.Run(() =>
            (i % 2 == 0 ? first : second).IncrementAsync("run-1", "counters", [new("/files/done", 1), new("/resources", 10)])));
        await Task.WhenAll(tasks);

        var body = (await first.GetAsync("run-1", "counters"))!.Body;
        Assert.Equal(100, (long?)body["files"]!["done"]);
        Assert.Equal(1000, (long?)body["resources"]);
    }

    [Fact]
    public async Task Concurrent_writers_of_one_store_each_land_their_rows_and_counts()
    {
        // The file activities of a process share one store: their file-row replaces, creates and counter increments
        // take turns in the store itself (not in SQLite's busy retry), and none is lost or mixed up.
        using var store = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = DatabasePath });
        await store.CreateAsync(new StateDocument("run-1", "run", "run", new JsonObject()));
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                var id = $"file:{w}:{i}";
                var created = await store.CreateAsync(new StateDocument("run-1", id, "file", new JsonObject { ["status"] = "Running" }));
                await store.ReplaceAsync(created with { Body = new JsonObject { ["status"] = "Completed", ["writer"] = w } }, created.ETag!);
                await store.IncrementAsync("run-1", "run", [new("/counters/filesDone", 1)]);
                await store.UpsertAsync(new StateDocument("run-1", $"audit:{w}:{i}", "audit", new JsonObject { ["n"] = i }));
            }
        }));
        await Task.WhenAll(writers);

        Assert.Equal(200, (long?)(await store.GetAsync("run-1", "run"))!.Body["counters"]!["filesDone"]);
        var files = await store.QueryPartitionAsync("run-1", "file").ToListAsync();
        Assert.Equal(200, files.Count);
        Assert.All(files, f => Assert.Equal("Completed", (string?)f.Body["status"]));
        Assert.All(files, f => Assert.Equal(f.Id.Split(':')[1], ((int?)f.Body["writer"])!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(200, (await store.QueryPartitionAsync("run-1", "audit").ToListAsync()).Count);
    }

    [Fact]
    public async Task Queries_return_one_partition_in_id_order_or_one_kind_across_partitions()
    {
        using var store = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = SqliteStateStoreOptions.InMemory });
        await store.CreateAsync(new StateDocument("run-2", "run", "run", new JsonObject()));
        await store.CreateAsync(new StateDocument("run-1", "run", "run", new JsonObject()));
        await store.CreateAsync(new StateDocument("run-1", "file-0002", "activity", new JsonObject()));
        await store.CreateAsync(new StateDocument("run-1", "file-0001", "activity", new JsonObject()));

        var activities = await store.QueryPartitionAsync("run-1", "activity").Select(d => d.Id).ToListAsync();
        var runs = await store.QueryKindAsync("run").Select(d => d.Partition).OrderBy(p => p).ToListAsync();

        Assert.Equal(["file-0001", "file-0002"], activities);
        Assert.Equal(["run-1", "run-2"], runs);
        await Assert.ThrowsAsync<StateConflictException>(() => store.CreateAsync(new StateDocument("run-1", "run", "run", new JsonObject())));
    }

    public void Dispose() => _folder.Dispose();
}
