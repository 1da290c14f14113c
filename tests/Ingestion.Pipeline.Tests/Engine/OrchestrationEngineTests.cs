using System.Text.Json;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Tests.Engine;

public sealed class OrchestrationEngineTests
{
    private static Dictionary<string, string> Files() => new()
    {
        ["Patient-0"] = "p1\np2\np3",
        ["Observation-0"] = "o1\no2\no3\no4\no5",
        ["Observation-1"] = "o6\no7",
        ["Condition-0"] = "c1\nc2\nc3\nc4",
    };

    [Fact]
    public async Task A_run_polls_on_durable_timers_then_publishes_every_line_exactly_once()
    {
        var source = new ScriptedExportSource(Files()) { PollsBeforeComplete = 3 };
        using var h = new EngineHarness(source);
        var id = await h.Client().StartNewAsync(EngineHarness.Input());

        var status = await h.RunToEndAsync(id);

        Assert.Equal(RuntimeStatus.Completed, status.RuntimeStatus);
        Assert.Equal(4, status.CustomStatus.FilesDone);
        Assert.Equal(14, status.CustomStatus.ResourcesRead);
        var manifest = await ReadManifestAsync(h, id);
        Assert.Equal(14, manifest.Tables["lines"].Rows);
        Assert.Equal(4, manifest.Tables["lines"].Files.Count);
        Assert.Equal("fp-test", manifest.DeidentificationKeyFingerprint);
        Assert.Single(source.Deleted);
        Assert.Equal(1, source.KickOffs);
        var history = (await h.Client().GetStatusAsync(id, showHistory: true))!.HistoryEvents!;
        Assert.Equal(4, history.Count(e => e.EventType == "ActivityCompleted"));
        Assert.Contains(history, e => e.EventType == "ManifestReceived");
        Assert.Contains(h.Events, e => e.Type == Storage.RunEventType.RunCompleted && e.Counts["rows.lines"] == 14);
    }

    [Fact]
    public async Task An_incremental_run_asks_for_changes_since_the_last_completed_runs_transaction_time()
    {
        var source = new ScriptedExportSource(Files());
        using var h = new EngineHarness(source);
        var first = await h.Client().StartNewAsync(EngineHarness.Input() with { Incremental = true });
        await h.RunToEndAsync(first);
        var second = await h.Client().StartNewAsync(EngineHarness.Input() with { Incremental = true });
        var status = await h.RunToEndAsync(second);

        Assert.Equal(RuntimeStatus.Completed, status.RuntimeStatus);
        Assert.Contains(null, source.SinceSeen);
        Assert.Contains(source.TransactionTime, source.SinceSeen);
    }

    public static TheoryData<string> Points() => new(FaultPoints.All);

    [Theory]
    [MemberData(nameof(Points))]
    public async Task A_crash_at_any_point_resumes_on_a_new_host_with_output_identical_to_an_uninterrupted_run(string point)
    {
        using var reference = new EngineHarness(new ScriptedExportSource(Files()) { PollsBeforeComplete = 1 });
        var referenceId = await reference.Client().StartNewAsync(EngineHarness.Input(), "run-1");
        await reference.RunToEndAsync(referenceId);

        var source = new ScriptedExportSource(Files()) { PollsBeforeComplete = 1 };
        using var h = new EngineHarness(source);
        var id = await h.Client().StartNewAsync(EngineHarness.Input(), "run-1");
        using var crash = new CancellationTokenSource();
        var faults = new CrashAt(point, crash);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.RunToEndAsync(id, faults, crash.Token));
        Assert.Equal(1, faults.Hits);
        Assert.NotEqual(RuntimeStatus.Completed, (await h.Client().GetStatusAsync(id))!.RuntimeStatus);

        h.Restart();
        var status = await h.RunToEndAsync(id);

        Assert.Equal(RuntimeStatus.Completed, status.RuntimeStatus);
        Assert.Equal(await PublishedAsync(reference, referenceId), await PublishedAsync(h, id));
    }

    [Fact]
    public async Task A_file_that_fails_transiently_is_retried_with_backoff_and_the_run_completes()
    {
        using var h = new EngineHarness(new ScriptedExportSource(Files()));
        var activity = (LineCountingActivity)h.Activity;
        activity.FailuresToThrow["Observation"] = 2; // both Observation files share the budget: 2 failures in total
        var id = await h.Client().StartNewAsync(EngineHarness.Input());

        var status = await h.RunToEndAsync(id);

        Assert.Equal(RuntimeStatus.Completed, status.RuntimeStatus);
        Assert.Equal(14, (await ReadManifestAsync(h, id)).Tables["lines"].Rows);
        var history = (await h.Client().GetStatusAsync(id, true))!.HistoryEvents!;
        Assert.Equal(2, history.Count(e => e.EventType == "ActivityRetrying"));
    }

    [Fact]
    public async Task A_file_failing_every_attempt_fails_the_run_unpublished_with_its_reason_and_resume_retries_it()
    {
        using var h = new EngineHarness(new ScriptedExportSource(Files()));
        var activity = (LineCountingActivity)h.Activity;
        activity.FailuresToThrow["Condition"] = h.Options.MaxActivityAttempts;
        var id = await h.Client().StartNewAsync(EngineHarness.Input());

        var failed = await h.RunToEndAsync(id);

        Assert.Equal(RuntimeStatus.Failed, failed.RuntimeStatus);
        var file = Assert.Single(failed.Output!.FailedFiles);
        Assert.Equal("Condition", file.Type);
        Assert.Contains("503", file.Reason);
        Assert.Null(await h.Lake.GetAsync(LakePaths.RunManifest(id)));
        Assert.Contains(h.Events, e => e.Type == Storage.RunEventType.RunFailed);

        Assert.True(await h.Client().ResumeAsync(id));
        var resumed = await h.RunToEndAsync(id);

        Assert.Equal(RuntimeStatus.Completed, resumed.RuntimeStatus);
        Assert.Equal(14, (await ReadManifestAsync(h, id)).Tables["lines"].Rows);
    }

    [Fact]
    public async Task Cancel_stops_the_run_and_deletes_the_server_export()
    {
        var source = new ScriptedExportSource(Files()) { PollsBeforeComplete = 1000, PollInterval = TimeSpan.FromMilliseconds(20) };
        using var h = new EngineHarness(source);
        var id = await h.Client().StartNewAsync(EngineHarness.Input());
        var running = h.RunToEndAsync(id);
        while ((await h.Client().GetStatusAsync(id))!.CustomStatus.Progress is null) await Task.Delay(20);

        Assert.True(await h.Client().CancelAsync(id, "operator request"));
        var status = await running;

        Assert.Equal(RuntimeStatus.Canceled, status.RuntimeStatus);
        Assert.Single(source.Deleted);
        Assert.Null(await h.Lake.GetAsync(LakePaths.RunManifest(id)));
    }

    [Fact]
    public async Task Purge_removes_a_runs_history_and_lake_data()
    {
        using var h = new EngineHarness(new ScriptedExportSource(Files()));
        var id = await h.Client().StartNewAsync(EngineHarness.Input());
        await h.RunToEndAsync(id);

        await h.Client().PurgeAsync(id);

        Assert.Null(await h.Client().GetStatusAsync(id));
        Assert.Empty(await h.Lake.ListAsync("omop/").ToListAsync());
        Assert.Empty(await h.Lake.ListAsync("_runs/").ToListAsync());
    }

    [Fact]
    public async Task Status_serializes_in_the_durable_functions_shape()
    {
        using var h = new EngineHarness(new ScriptedExportSource(Files()));
        var id = await h.Client().StartNewAsync(EngineHarness.Input());
        await h.RunToEndAsync(id);

        var json = JsonSerializer.SerializeToElement(await h.Client().GetStatusAsync(id), StateJson.Options);

        Assert.Equal(id, json.GetProperty("instanceId").GetString());
        Assert.Equal("Completed", json.GetProperty("runtimeStatus").GetString());
        Assert.Equal("Finalizing", json.GetProperty("customStatus").GetProperty("phase").GetString());
        Assert.Equal(14, json.GetProperty("customStatus").GetProperty("rowsByTable").GetProperty("lines").GetInt64());
        Assert.True(json.TryGetProperty("createdTime", out _));
        Assert.True(json.TryGetProperty("lastUpdatedTime", out _));
        Assert.Equal(LakePaths.RunManifest(id), json.GetProperty("output").GetProperty("manifestPath").GetString());
    }

    private static async Task<RunManifest> ReadManifestAsync(EngineHarness h, string id)
    {
        await using var stream = await h.Lake.OpenReadAsync(LakePaths.RunManifest(id));
        return (await JsonSerializer.DeserializeAsync<RunManifest>(stream, StateJson.Options))!;
    }

    /// <summary>The published run: every part's path and content, as one comparable string.</summary>
    private static async Task<string> PublishedAsync(EngineHarness h, string id)
    {
        var manifest = await ReadManifestAsync(h, id);
        var lines = new List<string>();
        foreach (var (table, t) in manifest.Tables)
        {
            foreach (var part in t.Files)
            {
                await using var stream = await h.Lake.OpenReadAsync(part.Path);
                using var reader = new StreamReader(stream);
                lines.Add($"{table} {part.Path} {part.Rows} {await reader.ReadToEndAsync()}");
            }
        }
        var all = await h.Lake.ListAsync("omop/").Select(i => i.Path).ToListAsync();
        lines.Add("objects: " + string.Join(",", all));
        return string.Join("\n", lines);
    }
}
