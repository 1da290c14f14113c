using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Ingestion.Storage.Catalog;
using Ingestion.Storage.Embedded;

namespace Ingestion.Storage.Tests;

/// <summary>The run catalog over the embedded state store: what operators read must add up and never go backwards.</summary>
public sealed class RunCatalogTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SqliteStateStore _store = new(new SqliteStateStoreOptions { DatabasePath = SqliteStateStoreOptions.InMemory });
    private readonly StateStoreRunCatalog _catalog;

    public RunCatalogTests() => _catalog = new StateStoreRunCatalog(_store);

    private static RunRecord Run(string id, string source, DateTimeOffset created) => new()
    {
        RunId = id, SourceId = source, CreatedAt = created, KeyFingerprint = "k1", Trigger = "cli", Status = RunRecordStatus.Running,
    };

    [Fact]
    public async Task The_watermark_only_moves_forward()
    {
        var t = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        await _catalog.AdvanceWatermarkAsync(new SourceWatermarkRecord("ehr", t, "r2"), None);

        var older = await _catalog.AdvanceWatermarkAsync(new SourceWatermarkRecord("ehr", t.AddDays(-1), "r1"), None);
        var newer = await _catalog.AdvanceWatermarkAsync(new SourceWatermarkRecord("ehr", t.AddDays(1), "r3"), None);

        Assert.Equal("r2", older.RunId);
        Assert.Equal("r3", newer.RunId);
        Assert.Equal(t.AddDays(1), (await _catalog.GetWatermarkAsync("ehr", None))!.TransactionTime);
    }

    [Fact]
    public async Task Counters_add_up_and_an_update_of_the_run_row_never_overwrites_them()
    {
        await _catalog.CreateRunAsync(Run("r1", "ehr", DateTimeOffset.UtcNow), None);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _catalog.AddToCountersAsync("r1", new RunCounters { FilesDone = 1, ResourcesRead = 10 }, None)));
        await _catalog.UpdateRunAsync("r1", r => r with { Phase = "Publishing", Counters = new RunCounters() }, None);

        var run = (await _catalog.GetRunAsync("r1", None))!;
        Assert.Equal(20, run.Counters.FilesDone);
        Assert.Equal(200, run.Counters.ResourcesRead);
        Assert.Equal("Publishing", run.Phase);
    }

    [Fact]
    public async Task Listing_filters_by_source_and_status_newest_first_in_pages()
    {
        var t = DateTimeOffset.UtcNow;
        for (var i = 0; i < 5; i++) await _catalog.CreateRunAsync(Run($"a{i}", "a", t.AddMinutes(i)), None);
        await _catalog.CreateRunAsync(Run("b0", "b", t), None);
        await _catalog.UpdateRunAsync("a1", r => r with { Status = RunRecordStatus.Failed }, None);

        var first = await _catalog.ListRunsAsync(new RunQuery { SourceId = "a", PageSize = 3 }, None);
        var second = await _catalog.ListRunsAsync(new RunQuery { SourceId = "a", PageSize = 3, ContinuationToken = first.ContinuationToken }, None);
        var failed = await _catalog.ListRunsAsync(new RunQuery { Status = RunRecordStatus.Failed }, None);
        var all = await _catalog.ListRunsAsync(new RunQuery { PageSize = 4 }, None);

        Assert.Equal(["a4", "a3", "a2"], first.Runs.Select(r => r.RunId));
        Assert.Equal(["a1", "a0"], second.Runs.Select(r => r.RunId));
        Assert.Null(second.ContinuationToken);
        Assert.Equal(["a1"], failed.Runs.Select(r => r.RunId));
        Assert.Equal(["a4", "a3", "a2", "a1"], all.Runs.Select(r => r.RunId));
        Assert.NotNull(all.ContinuationToken);
    }

    [Fact]
    public async Task A_repeated_audit_entry_is_stored_once_and_deleting_a_run_removes_its_rows_but_not_the_watermark()
    {
        await _catalog.CreateRunAsync(Run("r1", "ehr", DateTimeOffset.UtcNow), None);
        await _catalog.PutFilesAsync("r1", [new RunFileRecord { RunId = "r1", Index = 0, Kind = "output", ResourceType = "Patient", Url = "u" }], None);
        await _catalog.AdvanceWatermarkAsync(new SourceWatermarkRecord("ehr", DateTimeOffset.UtcNow, "r1"), None);
        var entry = new AuditEntry("r1", "started", "Started", DateTimeOffset.UtcNow);
        await _catalog.AppendAuditAsync(entry, None);
        await _catalog.AppendAuditAsync(entry, None);
        var audit = new List<AuditEntry>();
        await foreach (var e in _catalog.ListAuditAsync("r1", None)) audit.Add(e);
        Assert.Single(audit);

        await _catalog.DeleteRunAsync("r1", None);

        Assert.Null(await _catalog.GetRunAsync("r1", None));
        Assert.Null(await _catalog.GetFileAsync("r1", 0, None));
        Assert.Empty((await _catalog.ListRunsAsync(new RunQuery { SourceId = "ehr" }, None)).Runs);
        Assert.Empty((await _catalog.ListRunsAsync(new RunQuery(), None)).Runs);
        Assert.NotNull(await _catalog.GetWatermarkAsync("ehr", None));
    }

    [Fact]
    public async Task Run_and_file_documents_keep_the_json_of_the_reflection_path()
    {
        // The catalog's contracts are generated at build time; documents written by an older build must read the same.
        var reflection = new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        reflection.Converters.Add(new JsonStringEnumConverter());
        var t = new DateTimeOffset(2026, 12, 6, 21, 0, 0, TimeSpan.FromHours(1));
        var run = Run("r1", "ehr", t) with
        {
            Phase = "Processing", CompletedAt = t.AddMinutes(3), TriggeredBy = "op", ExportStatusUrl = "https://ehr.test/s/1", FilesTotal = 2,
            Counters = new RunCounters { FilesDone = 1, ResourcesRead = 7 }, InputJson = "{}",
        };
        var file = new RunFileRecord { RunId = "r1", Index = 1, Kind = "output", ResourceType = "Observation", Url = "file:///x.ndjson", ExpectedCount = 7, Status = RunFileStatus.Completed, StartedAt = t, ResourcesRead = 7, ResultJson = "{\"linesRead\":7}" };

        await _catalog.CreateRunAsync(run, None);
        await _catalog.PutFilesAsync("r1", [file], None);
        await _catalog.AppendAuditAsync(new AuditEntry("run:r1", "e1", "Canceled", t) { Actor = "op", Detail = "by hand" }, None);
        await _catalog.AdvanceWatermarkAsync(new SourceWatermarkRecord("ehr", t, "r1"), None);

        Assert.Equal(JsonNode.Parse(JsonSerializer.Serialize(run, reflection))!.ToJsonString(), (await _store.GetAsync("r1", "run", None))!.Body.ToJsonString());
        Assert.Equal(JsonNode.Parse(JsonSerializer.Serialize(file, reflection))!.ToJsonString(), (await _store.GetAsync("r1", "file:000001", None))!.Body.ToJsonString());
        Assert.Equal(JsonSerializer.Serialize(run, reflection), JsonSerializer.Serialize(await _catalog.GetRunAsync("r1", None), reflection));
        Assert.Equal(JsonSerializer.Serialize(file, reflection), JsonSerializer.Serialize(await _catalog.GetFileAsync("r1", 1, None), reflection));
        var audit = new List<AuditEntry>();
        await foreach (var entry in _catalog.ListAuditAsync("run:r1", None)) audit.Add(entry);
        Assert.Equal("by hand", Assert.Single(audit).Detail);
        Assert.Equal("r1", (await _catalog.GetWatermarkAsync("ehr", None))!.RunId);
    }

    public void Dispose() => _store.Dispose();
}
