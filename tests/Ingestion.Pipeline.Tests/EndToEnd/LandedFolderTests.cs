using Ingestion.DemoServer;
using Ingestion.Omop;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

public sealed class LandedFolderTests
{
    [Fact]
    [Trait("Category", TestCategories.Conformance)]
    public async Task Ingesting_the_Synthea_100_patient_export_with_the_shared_vocabulary_reconciles_every_line()
    {
        var input = DemoPipelineHarness.SyntheaInput;
        var folder = input.LandedLocation!;
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        // Small chunks so the big files run as several parallel activities (and the reconciliation covers that).
        var pipeline = await h.OpenWithSyntheaVocabularyAsync(new Dictionary<string, string?> { ["Pipeline:MaxRowsPerPart"] = "20000", ["Pipeline:LandedFileChunkBytes"] = (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var id = await pipeline.StartNewAsync(input);

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RunOutcome.Completed, status.Outcome);
        var report = await h.ReportAsync(pipeline, id);
        foreach (var file in Directory.EnumerateFiles(folder, "*.ndjson"))
        {
            var type = Path.GetFileNameWithoutExtension(file);
            var lines = File.ReadLines(file).Count(l => l.Length > 0);
            var files = report.Files.Where(f => f.ResourceType == type).ToList();
            Assert.Equal(lines, files.Sum(f => f.Lines));
            // Every line is mapped, of a type not mapped, or quarantined: nothing is lost.
            Assert.Equal(lines, files.Sum(f => f.Valid + f.Quarantined + f.NotCovered + f.Excluded));
            var notMapped = report.NotCoveredByResourceType.GetValueOrDefault(type);
            if (OmopMapper.CoveredResourceTypes.Contains(type)) Assert.Equal(0, notMapped);
            else Assert.Equal(lines - files.Sum(f => f.Quarantined), notMapped);
        }
        Assert.Equal(report.QuarantinedByReason.Values.Sum(), status.Totals.ResourcesQuarantined);
        Assert.Equal(report.ExcludedByReason.Values.Sum(), report.Files.Sum(f => f.Excluded));
        Assert.Equal(status.Totals.ResourcesQuarantined, (await DemoPipelineHarness.QuarantineRecordsAsync(pipeline, id)).Count);
        // Referential integrity (DQD isForeignKey) over the final rows: every reference checked resolves, and every
        // visit but each person's first names its preceding visit.
        Assert.All(report.DataQuality!.ForeignKeys, fk => Assert.Equal(0, fk.Dangling));
        Assert.Equal(report.Totals.RowsByTable["visit_occurrence"] - report.Totals.RowsByTable["person"],
            report.DataQuality.ForeignKeys.Single(fk => fk.Column == "preceding_visit_occurrence_id").RowsChecked);

        var manifest = await h.ManifestAsync(pipeline, id);
        Assert.Equal(File.ReadLines(Path.Combine(folder, "Patient.ndjson")).Count(), manifest.Tables["person"].Rows);
        Assert.Equal(pipeline.VocabularyVersion, manifest.VocabularyVersion);
        Assert.NotEqual(StarterVocabulary.Create().Version, manifest.VocabularyVersion);
        // DuckDB reads every table; its counts are the manifest's.
        foreach (var (table, t) in manifest.Tables)
        {
            var parts = string.Join(",", t.Files.Select(f => DuckDb.Literal(Path.Combine(pipeline.Lake.Location, f.Path))));
            var count = await DuckDb.QueryAsync($"SELECT count(*) FROM read_parquet([{parts}])");
            Assert.Equal(t.Rows, long.Parse(count.Scalar.GetString()!));
        }
        // Standard concepts from the shared vocabulary: most conditions are mapped (concept_id <> 0).
        var conditions = string.Join(",", manifest.Tables["condition_occurrence"].Files.Select(f => DuckDb.Literal(Path.Combine(pipeline.Lake.Location, f.Path))));
        var mapped = await DuckDb.QueryAsync($"SELECT avg(CASE WHEN condition_concept_id <> 0 THEN 1.0 ELSE 0 END) FROM read_parquet([{conditions}])");
        Assert.True(mapped.Scalar.GetDouble() > 0.5);
    }
}
