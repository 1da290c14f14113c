using System.Text.Json.Nodes;
using Ingestion.Storage;

namespace Ingestion.Azure.Tests.Contracts;

/// <summary>The behaviour every <see cref="IStateStore"/> owes the orchestration, run against each implementation.</summary>
public abstract class StateStoreContract
{
    protected abstract Task<IStateStore> CreateStoreAsync();

    private static StateDocument Doc(string partition, string id, string kind, string json) =>
        new(partition, id, kind, JsonNode.Parse(json)!.AsObject());

    [Fact]
    public async Task A_missing_document_reads_as_null()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync("run-1", "nothing"));
    }

    [Fact]
    public async Task A_created_document_reads_back_with_its_body_kind_and_an_etag()
    {
        var store = await CreateStoreAsync();

        var created = await store.CreateAsync(Doc("run-1", "activity/omop/person", "activity", """{"status":"Running","attempt":1}"""));
        var read = await store.GetAsync("run-1", "activity/omop/person");

        Assert.NotNull(read);
        Assert.Equal("activity", read.Kind);
        Assert.Equal("Running", (string?)read.Body["status"]);
        Assert.Equal(1, (int?)read.Body["attempt"]);
        Assert.False(string.IsNullOrEmpty(created.ETag));
        Assert.Equal(created.ETag, read.ETag);
        Assert.NotNull(read.UpdatedAt);
    }

    [Fact]
    public async Task Creating_an_existing_document_conflicts_and_keeps_the_first()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Doc("run-1", "run", "run", """{"v":1}"""));

        await Assert.ThrowsAsync<StateConflictException>(() => store.CreateAsync(Doc("run-1", "run", "run", """{"v":2}""")));

        Assert.Equal(1, (int?)(await store.GetAsync("run-1", "run"))!.Body["v"]);
    }

    [Fact]
    public async Task Replace_succeeds_with_the_current_etag_and_conflicts_with_a_stale_one()
    {
        var store = await CreateStoreAsync();
        var first = await store.CreateAsync(Doc("run-1", "run", "run", """{"v":1}"""));

        var second = await store.ReplaceAsync(Doc("run-1", "run", "run", """{"v":2}"""), first.ETag!);
        await Assert.ThrowsAsync<StateConflictException>(() => store.ReplaceAsync(Doc("run-1", "run", "run", """{"v":3}"""), first.ETag!));

        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(2, (int?)(await store.GetAsync("run-1", "run"))!.Body["v"]);
    }

    [Fact]
    public async Task Replacing_a_deleted_document_is_not_found_or_a_conflict()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(Doc("run-1", "gone", "run", "{}"));
        await store.DeleteAsync("run-1", "gone");

        var error = await Assert.ThrowsAnyAsync<StateStoreException>(() => store.ReplaceAsync(Doc("run-1", "gone", "run", "{}"), created.ETag!));

        Assert.True(error is StateNotFoundException or StateConflictException);
        Assert.Null(await store.GetAsync("run-1", "gone"));
    }

    [Fact]
    public async Task Upsert_creates_then_replaces_unconditionally()
    {
        var store = await CreateStoreAsync();

        await store.UpsertAsync(Doc("run-1", "watermark", "watermark", """{"since":"2026-01-01"}"""));
        await store.UpsertAsync(Doc("run-1", "watermark", "watermark", """{"since":"2026-02-01"}"""));

        Assert.Equal("2026-02-01", (string?)(await store.GetAsync("run-1", "watermark"))!.Body["since"]);
    }

    [Fact]
    public async Task Increment_adds_to_existing_counters_and_creates_missing_ones_with_their_parents()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Doc("run-1", "run", "run", """{"counters":{"resourcesRead":5}}"""));

        await store.IncrementAsync("run-1", "run", [new("/counters/resourcesRead", 3), new("/counters/quarantined", 2)]);
        var updated = await store.IncrementAsync("run-1", "run", [new("/rows/person", 7)]);

        Assert.Equal(8, (long?)updated.Body["counters"]!["resourcesRead"]);
        Assert.Equal(2, (long?)updated.Body["counters"]!["quarantined"]);
        Assert.Equal(7, (long?)updated.Body["rows"]!["person"]);
    }

    [Fact]
    public async Task Eight_concurrent_increments_of_two_counters_are_all_counted()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Doc("run-1", "run", "run", """{"counters":{"files":0,"rows":0}}"""));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.IncrementAsync("run-1", "run", [new("/counters/files", 1), new("/counters/rows", 250)]))));

        var counters = (await store.GetAsync("run-1", "run"))!.Body["counters"]!;
        Assert.Equal(8, (long?)counters["files"]);
        Assert.Equal(2000, (long?)counters["rows"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Paging_a_partition_returns_each_document_once_in_id_order_and_only_that_partition(bool descending)
    {
        var store = await CreateStoreAsync();
        foreach (var i in new[] { 4, 1, 7, 3, 6, 2, 5 }) await store.CreateAsync(Doc("source:hospital-a", $"run:2026120{i}T020000Z", "run-index", $$"""{"n":{{i}}}"""));
        await store.CreateAsync(Doc("source:hospital-a", "watermark", "watermark", "{}"));
        await store.CreateAsync(Doc("source:hospital-b", "run:20261201T020000Z", "run-index", "{}"));

        var pages = new List<StatePage>();
        string? token = null;
        do
        {
            var page = await store.QueryPartitionPageAsync("source:hospital-a", "run-index", pageSize: 3, token, descending);
            pages.Add(page);
            token = page.ContinuationToken;
        }
        while (token is not null && pages.Count < 10);

        var expected = Enumerable.Range(1, 7).Select(i => $"run:2026120{i}T020000Z").ToList();
        if (descending) expected.Reverse();
        Assert.All(pages, p => Assert.InRange(p.Documents.Count, 1, 3));
        Assert.Equal(expected, pages.SelectMany(p => p.Documents).Select(d => d.Id));
        Assert.All(pages.SelectMany(p => p.Documents), d => Assert.Equal("source:hospital-a", d.Partition));
        Assert.Null(pages[^1].ContinuationToken);
    }

    [Fact]
    public async Task Of_two_writers_replacing_the_same_version_exactly_one_wins()
    {
        var store = await CreateStoreAsync();
        var read = await store.CreateAsync(Doc("source:hospital-a", "watermark", "watermark", """{"since":"2026-01-01T00:00:00Z"}"""));

        var outcomes = await Task.WhenAll(
            Outcome(() => store.ReplaceAsync(Doc("source:hospital-a", "watermark", "watermark", """{"since":"2026-02-01T00:00:00Z"}"""), read.ETag!)),
            Outcome(() => store.ReplaceAsync(Doc("source:hospital-a", "watermark", "watermark", """{"since":"2026-03-01T00:00:00Z"}"""), read.ETag!)));

        Assert.Single(outcomes, o => o is null);
        Assert.Single(outcomes, o => o is StateConflictException);
    }

    [Fact]
    public async Task A_watermark_only_moves_forward_when_eight_runs_race_to_advance_it()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Doc("source:hospital-a", "watermark", "watermark", """{"since":"2026-01-01T00:00:00Z"}"""));
        var candidates = Enumerable.Range(1, 8).Select(day => new DateTimeOffset(2026, 3, day, 0, 0, 0, TimeSpan.Zero)).Reverse().ToList();

        await Task.WhenAll(candidates.Select(since => Task.Run(() => AdvanceAsync(store, since))));

        var since = DateTimeOffset.Parse((string)(await store.GetAsync("source:hospital-a", "watermark"))!.Body["since"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(candidates.Max(), since);
    }

    /// <summary>The catalog's forward-only rule on the store's primitives: read, compare, replace if still that version.</summary>
    private static async Task AdvanceAsync(IStateStore store, DateTimeOffset since)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var current = (await store.GetAsync("source:hospital-a", "watermark"))!;
            if (DateTimeOffset.Parse((string)current.Body["since"]!, System.Globalization.CultureInfo.InvariantCulture) >= since) return;
            var next = new JsonObject { ["since"] = since.ToString("O") };
            try
            {
                await store.ReplaceAsync(current with { Body = next }, current.ETag!);
                return;
            }
            catch (StateConflictException)
            {
                // Someone else moved it: re-read and compare again.
            }
        }
        Assert.Fail("the watermark race did not settle");
    }

    private static async Task<Exception?> Outcome(Func<Task> write)
    {
        try
        {
            await write();
            return null;
        }
        catch (StateStoreException ex)
        {
            return ex;
        }
    }

    [Fact]
    public async Task Incrementing_a_missing_document_is_not_found()
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAsync<StateNotFoundException>(() => store.IncrementAsync("run-1", "missing", [new("/n", 1)]));
    }

    [Fact]
    public async Task Delete_is_a_no_op_when_absent_and_honours_the_etag()
    {
        var store = await CreateStoreAsync();
        var first = await store.CreateAsync(Doc("run-1", "lease", "lease", """{"owner":"a"}"""));
        await store.ReplaceAsync(Doc("run-1", "lease", "lease", """{"owner":"b"}"""), first.ETag!);

        await store.DeleteAsync("run-1", "absent");
        await Assert.ThrowsAsync<StateConflictException>(() => store.DeleteAsync("run-1", "lease", first.ETag));
        Assert.NotNull(await store.GetAsync("run-1", "lease"));
        await store.DeleteAsync("run-1", "lease");

        Assert.Null(await store.GetAsync("run-1", "lease"));
    }

    [Fact]
    public async Task A_partition_query_returns_only_that_partition_ordered_by_id_and_filters_by_kind()
    {
        var store = await CreateStoreAsync();
        foreach (var id in new[] { "activity/c", "activity/a", "run", "activity/b", "history/001" })
            await store.CreateAsync(Doc("run-1", id, id.Split('/')[0], "{}"));
        await store.CreateAsync(Doc("run-2", "activity/a", "activity", "{}"));

        var all = new List<string>();
        await foreach (var d in store.QueryPartitionAsync("run-1")) all.Add(d.Id);
        var activities = new List<string>();
        await foreach (var d in store.QueryPartitionAsync("run-1", "activity")) activities.Add(d.Id);

        Assert.Equal(["activity/a", "activity/b", "activity/c", "history/001", "run"], all);
        Assert.Equal(["activity/a", "activity/b", "activity/c"], activities);
    }

    [Fact]
    public async Task A_kind_query_spans_partitions()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 5; i++) await store.CreateAsync(Doc($"run-{i}", "run", "run", $$"""{"n":{{i}}}"""));
        await store.CreateAsync(Doc("run-0", "activity/x", "activity", "{}"));

        var runs = new List<StateDocument>();
        await foreach (var d in store.QueryKindAsync("run")) runs.Add(d);

        Assert.Equal(["run-0", "run-1", "run-2", "run-3", "run-4"], runs.Select(r => r.Partition).Order());
        Assert.All(runs, r => Assert.Equal("run", r.Kind));
    }
}
