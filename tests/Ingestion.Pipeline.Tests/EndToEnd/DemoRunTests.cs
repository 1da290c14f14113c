using Ingestion.DemoServer;
using Ingestion.Omop;
using Ingestion.Pipeline.State;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

public sealed class DemoRunTests
{
    private static readonly DemoServerOptions Demo = new() { Patients = 12, Seed = 3, ResourcesPerFile = 120, DefectRate = 0.05 };

    [Fact]
    public async Task A_demo_run_accounts_for_every_generated_line_exactly()
    {
        await using var h = await DemoPipelineHarness.StartAsync(Demo);
        var pipeline = h.OpenPipeline();
        var id = await pipeline.Client.StartNewAsync(h.ServerInput());

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RuntimeStatus.Completed, status.RuntimeStatus);
        var expected = h.Server.Expected;
        var report = await h.ReportAsync(pipeline, id);
        // Every line read, per resource type.
        foreach (var type in expected.ResourceTypes)
        {
            Assert.Equal(expected.LinesOf(type), report.Files.Where(f => f.ResourceType == type).Sum(f => f.Lines));
        }
        // Defects that make a resource unusable are in quarantine, each with the reason for its kind; nothing else is.
        Assert.Equal(expected.TotalDefects(DefectKind.MalformedJson), report.QuarantinedByReason.GetValueOrDefault("ndjson:invalid-json"));
        Assert.Equal(expected.TotalDefects(DefectKind.InvalidDate), report.QuarantinedByReason.GetValueOrDefault("mapping:" + QuarantineReasons.InvalidDate));
        Assert.Equal(expected.TotalDefects(DefectKind.MissingRequiredElement), report.QuarantinedByReason.GetValueOrDefault("mapping:" + QuarantineReasons.MissingSubject));
        var quarantined = expected.TotalDefects(DefectKind.MalformedJson) + expected.TotalDefects(DefectKind.InvalidDate) + expected.TotalDefects(DefectKind.MissingRequiredElement);
        Assert.Equal(quarantined, status.CustomStatus.ResourcesQuarantined);
        Assert.Equal(expected.TotalLines, status.CustomStatus.ResourcesValid + status.CustomStatus.ResourcesQuarantined + status.CustomStatus.ResourcesNotCovered);
        Assert.Equal(expected.LinesOf("DiagnosticReport") - expected.DefectsOf("DiagnosticReport").GetValueOrDefault(DefectKind.MalformedJson), report.NotCoveredByResourceType.GetValueOrDefault("DiagnosticReport"));
        // UnknownCode defects are kept, as concept_id 0 rows.
        Assert.True(status.CustomStatus.UnmappedRows >= expected.TotalDefects(DefectKind.UnknownCode) - expected.DefectsOf("DiagnosticReport").GetValueOrDefault(DefectKind.UnknownCode));
        // One person row per generated patient, one observation period per person with events.
        var manifest = await h.ManifestAsync(pipeline, id);
        Assert.Equal(expected.ValidResources["Patient"], manifest.Tables["person"].Rows);
        Assert.Equal(1, manifest.Tables["cdm_source"].Rows);
        Assert.InRange(manifest.Tables["observation_period"].Rows, 1, expected.ValidResources["Patient"]);

        // The quarantine lake holds one record per quarantined line, with line number and reason.
        var records = await DemoPipelineHarness.QuarantineRecordsAsync(pipeline, id);
        Assert.Equal(quarantined, records.Count);
        Assert.All(records, r => Assert.True(r.GetProperty("line").GetInt64() > 0 && r.GetProperty("reason").GetString()!.Length > 0));

        // DuckDB reads every published table and finds the manifest's row counts.
        foreach (var (table, t) in manifest.Tables)
        {
            var files = string.Join(",", t.Files.Select(f => DuckDb.Literal(Path.Combine(pipeline.Lake.Location, f.Path))));
            var count = await DuckDb.QueryAsync($"SELECT count(*) FROM read_parquet([{files}])");
            Assert.Equal(t.Rows, long.Parse(count.Scalar.GetString()!));
        }
    }

    [Fact]
    public async Task DuckDB_reads_only_committed_runs_through_the_documented_view()
    {
        await using var h = await DemoPipelineHarness.StartAsync(Demo with { DefectRate = 0 });
        var pipeline = h.OpenPipeline();
        var id = await pipeline.Client.StartNewAsync(h.ServerInput());
        await DemoPipelineHarness.RunAsync(pipeline, id);
        // An uncommitted run's parts are in the lake too (as after a crash before publishing): readers must skip them.
        var stray = LakePaths.Part("person", "uncommitted-run", 0, 0);
        var source = await pipeline.Lake.OpenReadAsync(LakePaths.Part("person", id, expectedPersonFile(await h.ManifestAsync(pipeline, id)), 0));
        await using (var upload = await pipeline.Lake.StartUploadAsync(stray))
        {
            await source.CopyToAsync(upload.Content);
            await upload.CommitAsync();
        }
        await source.DisposeAsync();

        var lake = pipeline.Lake.Location.Replace('\\', '/');
        var result = await DuckDb.QueryAsync(LatestCommittedSql(lake, "person"));

        Assert.Equal(h.Server.Expected.ValidResources["Patient"], long.Parse(result.Scalar.GetString()!));

        static int expectedPersonFile(Publishing.RunManifest m) =>
            int.Parse(Path.GetFileName(m.Tables["person"].Files[0].Path).Split('-')[1]);
    }

    /// <summary>The SQL of docs/lake-layout.md: rows of the latest committed run of a table.</summary>
    internal static string LatestCommittedSql(string lake, string table) => $$"""
        WITH committed AS (
          SELECT runId, committedAt FROM read_json('{{lake}}/_runs/*/manifest.json', columns = {runId: 'VARCHAR', committedAt: 'TIMESTAMPTZ'})
        ), latest AS (
          SELECT runId FROM committed ORDER BY committedAt DESC LIMIT 1
        )
        SELECT count(*) FROM read_parquet('{{lake}}/omop/{{table}}/run=*/*.parquet', hive_partitioning = true)
        WHERE run IN (SELECT runId FROM latest)
        """;
}
