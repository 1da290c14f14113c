using Ingestion.DemoServer;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

public sealed class IncrementalTests
{
    [Fact]
    public async Task A_run_since_an_instant_takes_only_later_changes_and_records_the_deletions()
    {
        var demo = new DemoServerOptions { Patients = 40, Seed = 8, ResourcesPerFile = 500, DefectRate = 0 };
        await using var h = await DemoPipelineHarness.StartAsync(demo);
        var pipeline = await h.OpenPipelineAsync();
        var full = await pipeline.StartNewAsync(h.ServerInput());
        Assert.Equal(RunOutcome.Completed, (await DemoPipelineHarness.RunAsync(pipeline, full)).Outcome);

        var generator = new SyntheticPatientGenerator(demo.Patients, demo.Seed, demo.DefectRate);
        var since = SyntheticPatientGenerator.Anchor.AddDays(-400);
        var changed = generator.Generate().Count(r => r.LastUpdated > since);
        var deleted = generator.GenerateDeletions().Count(d => d.DeletedAt > since);
        Assert.True(deleted > 0, "the fixture must include deletions after 'since'");

        var incremental = await pipeline.StartNewAsync(h.ServerInput() with { Request = new Fhir.BulkData.BulkExportRequest { Since = since } });
        var status = await DemoPipelineHarness.RunAsync(pipeline, incremental);

        Assert.Equal(RunOutcome.Completed, status.Outcome);
        // Changed resources plus one deleted[] Bundle line per deletion.
        Assert.Equal(changed + deleted, status.Totals.ResourcesRead);
        Assert.True(status.Totals.ResourcesRead < h.Server.Expected.TotalLines);
        var manifest = await h.ManifestAsync(pipeline, incremental);
        Assert.Equal(since, manifest.Since);
        var deletions = manifest.Tables["deletions"];
        Assert.True(deletions.Rows >= deleted);
        var files = string.Join(",", deletions.Files.Select(f => DuckDb.Literal(Path.Combine(pipeline.Lake.Location, f.Path))));
        // A deleted Observation is listed once for every table an Observation can map to (its key there).
        var types = await DuckDb.QueryAsync($"SELECT count(*) FILTER (WHERE omop_table = 'measurement'), min(resource_type), max(resource_type) FROM read_parquet([{files}])");
        Assert.Equal(deleted, long.Parse(types.Rows[0][0].GetString()!));
        Assert.Equal("Observation", types.Rows[0][1].GetString());
        Assert.Equal("Observation", types.Rows[0][2].GetString());
    }
}
