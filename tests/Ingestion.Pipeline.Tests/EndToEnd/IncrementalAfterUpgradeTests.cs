using Ingestion.DemoServer;
using Ingestion.Fhir.BulkData;
using Ingestion.Orchestration;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.Tests.Engine;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// An upgrade keeps incremental pulls working: when the previous run's merged era events and person dates are the text
/// files an older build wrote, the next incremental run commits the same eras, observation periods and era deletions as
/// after a predecessor of this build, and leaves its own merged staging in the binary form.
/// </summary>
public sealed class IncrementalAfterUpgradeTests
{
    /// <summary>What the fan-in writes from the merged staging, and the columns not compared: the run's partition and the
    /// deletion times of the export's deleted[] rows (the server's clock, another for each export).</summary>
    private static readonly (string Table, string Excluded)[] MergedOutputs =
        [("observation_period", "run"), ("condition_era", "run"), ("drug_era", "run"), ("deletions", "run, deleted_datetime")];

    [Fact]
    public async Task An_incremental_run_after_an_upgrade_merges_the_older_builds_text_staging_like_its_own()
    {
        var demo = new DemoServerOptions { Patients = 30, Seed = 11, ResourcesPerFile = 400, DefectRate = 0 };
        await using var h = await DemoPipelineHarness.StartAsync(demo);
        var since = SyntheticPatientGenerator.Anchor.AddDays(-600);
        var (current, currentRun) = await RunChainAsync(h, "current", since, downgrade: false);
        var (upgraded, upgradedRun) = await RunChainAsync(h, "upgraded", since, downgrade: true);

        foreach (var (table, excluded) in MergedOutputs)
        {
            var expected = await RowsAsync(h, current, currentRun, table, excluded);
            Assert.True(expected.Count > 0, $"the fixture must give the incremental run {table} rows");
            var actual = await RowsAsync(h, upgraded, upgradedRun, table, excluded);
            Assert.True(expected.SequenceEqual(actual), $"{table}: {expected.Except(actual).Count()} rows only after a binary predecessor, {actual.Except(expected).Count()} only after a text one");
        }
        // The run wrote its own merged staging in the binary form: the text is read at most once per source.
        Assert.NotNull(await EraEventStaging.OpenAsync(upgraded.Lake, EraEventStaging.MergedPathOf(upgradedRun), CancellationToken.None));
        Assert.NotNull(await PersonDatesStaging.OpenAsync(upgraded.Lake, PersonDatesStaging.MergedPathOf(upgradedRun), CancellationToken.None));
    }

    /// <summary>A full run until <paramref name="since"/>, then (<paramref name="downgrade"/>: its merged staging
    /// rewritten as an older build's text) an incremental run since then; returns the incremental run.</summary>
    private static async Task<(TestPipeline Pipeline, string RunId)> RunChainAsync(DemoPipelineHarness h, string lake, DateTimeOffset since, bool downgrade)
    {
        var pipeline = await h.OpenPipelineAsync(lake: lake);
        var full = await StartAsync(pipeline, h, new BulkExportRequest { Until = since });
        if (downgrade)
        {
            Assert.True(await OldBuildStaging.DowngradeAsync<StagedEraEvent>(pipeline.Lake, EraEventStaging.MergedPathOf(full), OldBuildStaging.Line) > 0);
            Assert.True(await OldBuildStaging.DowngradeAsync<StagedPersonDates>(pipeline.Lake, PersonDatesStaging.MergedPathOf(full), OldBuildStaging.Line) > 0);
        }
        return (pipeline, await StartAsync(pipeline, h, new BulkExportRequest { Since = since }));
    }

    private static async Task<string> StartAsync(TestPipeline pipeline, DemoPipelineHarness h, BulkExportRequest request)
    {
        var id = await pipeline.StartNewAsync(h.ServerInput() with { Request = request });
        var status = await DemoPipelineHarness.RunAsync(pipeline, id);
        Assert.True(status.Outcome == RunOutcome.Completed, status.Output.FailureReason);
        return id;
    }

    /// <summary>The run's rows of a table, in order, without the <paramref name="excluded"/> columns.</summary>
    private static async Task<List<string>> RowsAsync(DemoPipelineHarness h, TestPipeline pipeline, string runId, string table, string excluded)
    {
        if (!(await h.ManifestAsync(pipeline, runId)).Tables.TryGetValue(table, out var parts) || parts.Files.Count == 0) return [];
        var files = string.Join(",", parts.Files.Select(f => DuckDb.Literal(Path.Combine(pipeline.Lake.Location, f.Path))));
        var result = await DuckDb.QueryAsync($"SELECT * EXCLUDE ({excluded}) FROM read_parquet([{files}], hive_partitioning = true) ORDER BY ALL");
        return result.Rows.Select(row => string.Join("|", row.Select(v => v.ToString()))).ToList();
    }
}
