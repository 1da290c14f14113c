using Ingestion.DemoServer;
using Ingestion.Omop;
using Ingestion.Orchestration;
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
        var pipeline = await h.OpenPipelineAsync();
        var expected = h.Server.Expected;
        var types = expected.ResourceTypes.ToList();
        var id = await pipeline.StartNewAsync(h.ServerInput() with { Request = new Fhir.BulkData.BulkExportRequest { Types = types } });

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RunOutcome.Completed, status.Outcome);
        var report = await h.ReportAsync(pipeline, id);
        // The data-quality checks saw every row the files wrote; the first run of a source has no baseline.
        Assert.Null(report.DataQuality!.ComparedWithRunId);
        foreach (var (table, rows) in report.DataQuality.RowsChecked) Assert.Equal(status.Totals.RowsByTable[table], rows);
        Assert.Contains("person", report.DataQuality.RowsChecked.Keys);
        // Every line read, per resource type.
        foreach (var type in types)
        {
            Assert.Equal(expected.LinesOf(type), report.Files.Where(f => f.ResourceType == type).Sum(f => f.Lines));
        }
        long Defects(DefectKind kind) => types.Sum(t => expected.DefectsOf(t).GetValueOrDefault(kind));
        // Defects that make a resource unusable are in quarantine with the reason of their kind; nothing else is.
        var byKind = report.QuarantinedByReason.GroupBy(kv => KindOf(kv.Key)).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        Assert.Equal(Defects(DefectKind.MalformedJson), byKind.GetValueOrDefault(DefectKind.MalformedJson));
        Assert.Equal(Defects(DefectKind.InvalidDate), byKind.GetValueOrDefault(DefectKind.InvalidDate));
        Assert.Equal(Defects(DefectKind.MissingRequiredElement), byKind.GetValueOrDefault(DefectKind.MissingRequiredElement));
        Assert.Equal(0, byKind.GetValueOrDefault(DefectKind.UnknownCode));
        var quarantined = Defects(DefectKind.MalformedJson) + Defects(DefectKind.InvalidDate) + Defects(DefectKind.MissingRequiredElement);
        Assert.Equal(quarantined, status.Totals.ResourcesQuarantined);
        var lines = types.Sum(expected.LinesOf);
        Assert.Equal(lines, status.Totals.ResourcesRead);
        Assert.Equal(lines, status.Totals.ResourcesValid + status.Totals.ResourcesQuarantined + status.Totals.ResourcesNotCovered + status.Totals.ResourcesExcluded);
        // One person row per generated patient, one observation period per person with events, one cdm_source.
        var manifest = await h.ManifestAsync(pipeline, id);
        Assert.Equal(expected.ValidResources["Patient"], manifest.Tables["person"].Rows);
        Assert.Equal(1, manifest.Tables["cdm_source"].Rows);
        Assert.InRange(manifest.Tables["observation_period"].Rows, 1, expected.ValidResources["Patient"]);
        // UnknownCode resources are kept, as concept_id 0 rows in the top unmapped codes.
        Assert.Contains(report.TopUnmappedCodes, u => u.Code.StartsWith("99999", StringComparison.Ordinal));

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

    /// <summary>Which generator defect a quarantine reason stands for (validator rule ids or mapper codes).</summary>
    private static DefectKind KindOf(string reason) => reason switch
    {
        "ndjson:invalid-json" => DefectKind.MalformedJson,
        _ when reason.EndsWith(":format", StringComparison.Ordinal) || reason == "mapping:" + QuarantineReasons.InvalidDate => DefectKind.InvalidDate,
        _ when reason.EndsWith(".subject:min", StringComparison.Ordinal) || reason.EndsWith(".patient:min", StringComparison.Ordinal)
            || reason == "mapping:" + QuarantineReasons.MissingSubject => DefectKind.MissingRequiredElement,
        _ => DefectKind.UnknownCode, // anything else is a wrongly quarantined resource
    };

    [Fact]
    public async Task DuckDB_reads_only_committed_runs_through_the_documented_view()
    {
        await using var h = await DemoPipelineHarness.StartAsync(Demo with { DefectRate = 0 });
        var pipeline = await h.OpenPipelineAsync();
        var id = await pipeline.StartNewAsync(h.ServerInput());
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
