using Ingestion.DemoServer;
using Ingestion.Fhir.BulkData;
using Ingestion.Orchestration;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.Tests.EndToEnd;
using Ingestion.Testing;
using static Ingestion.Pipeline.Tests.Integrity.IntegrityFixture;

namespace Ingestion.Pipeline.Tests.Integrity;

/// <summary>
/// The fan-in's referential integrity on landed exports, read back with DuckDB through the run's manifest: no
/// dangling key in the committed view, one row per source resource, preceding visits, every change counted.
/// </summary>
public sealed class ReferentialIntegrityTests
{
    [Fact]
    public async Task Measurements_and_drugs_of_a_quarantined_encounter_lose_the_visit_reference_and_are_counted()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var folder = Folder(h.Root, "quarantined-encounter", new Dictionary<string, string[]>
        {
            ["Patient.ndjson"] = [Patient("p1", "female")],
            // e2 has no period: quarantined (missing-date), so visit e2 is never emitted.
            ["Encounter.ndjson"] = [Encounter("e1", "p1", "2023-03-01T09:00:00Z"), Encounter("e2", "p1", null)],
            ["Observation.ndjson"] = [HbA1c("o1", "p1", "e1"), HbA1c("o2", "p1", "e2"), HbA1c("o3", "p1", "e2")],
            ["MedicationRequest.ndjson"] = [Prescription("m1", "p1", "e2"), Prescription("m2", "p1", "e1")],
        });
        var (pipeline, runId) = await RunAsync(h, folder);

        var report = await h.ReportAsync(pipeline, runId);
        Assert.Equal(1, report.QuarantinedByReason.Values.Sum());
        var manifest = await h.ManifestAsync(pipeline, runId);
        foreach (var table in new[] { "measurement", "drug_exposure" })
        {
            var counts = await DuckDb.QueryAsync($"""
                SELECT count(*) AS all_rows, count(t.visit_occurrence_id) AS with_visit,
                       count(*) FILTER (WHERE t.visit_occurrence_id IS NOT NULL AND v.visit_occurrence_id IS NULL) AS dangling
                FROM {Read(pipeline, manifest, table)} t LEFT JOIN {Read(pipeline, manifest, "visit_occurrence")} v USING (visit_occurrence_id)
                """);
            var row = counts.Rows[0];
            Assert.Equal(table == "measurement" ? 3 : 2, Number(row[0])); // rows kept: only the reference is nulled
            Assert.Equal(1, Number(row[1]));
            Assert.Equal(0, Number(row[2]));
        }
        Assert.Contains(new IntegrityCorrection("measurement", "visit_occurrence_id", IntegrityCorrection.Nulled, 2), report.ReferentialIntegrity!.Corrections);
        Assert.Contains(new IntegrityCorrection("drug_exposure", "visit_occurrence_id", IntegrityCorrection.Nulled, 1), report.ReferentialIntegrity.Corrections);
        // The FK check of the report ran over the final rows: references checked, none dangling.
        var fk = report.DataQuality!.ForeignKeys.Single(c => c.Table == "measurement" && c.Column == "visit_occurrence_id");
        Assert.Equal((1L, 0L), (fk.RowsChecked, fk.Dangling));
        Assert.All(report.DataQuality.ForeignKeys, c => Assert.Equal(0, c.Dangling));
        Assert.DoesNotContain(report.DataQuality.Findings, f => f.Check == Ingestion.Omop.ForeignKeyChecks.IsForeignKey);
        // The rewritten part replaced the original: the run folder holds exactly the manifest's parts.
        var onDisk = Directory.EnumerateFiles(Path.Combine(pipeline.Lake.Location, "omop", "measurement", $"run={runId}")).Select(Path.GetFileName).ToList();
        Assert.Equal(manifest.Tables["measurement"].Files.Select(f => Path.GetFileName(f.Path)), onDisk);
        Assert.All(onDisk, name => Assert.EndsWith("-final.parquet", name));
    }

    [Fact]
    public async Task Visits_referencing_providers_and_care_sites_outside_the_export_are_nulled_and_counted()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        // A Group export style: the Encounters name a Practitioner and an Organization that are not exported;
        // e2's Practitioner is.
        var folder = Folder(h.Root, "group-export", new Dictionary<string, string[]>
        {
            ["Patient.ndjson"] = [Patient("p1", "female")],
            ["Practitioner.ndjson"] = ["""{"resourceType":"Practitioner","id":"doc2","gender":"male"}"""],
            ["Encounter.ndjson"] = [Encounter("e1", "p1", "2023-03-01T09:00:00Z", "doc1", "org1"), Encounter("e2", "p1", "2023-04-01T09:00:00Z", "doc2", "org1")],
        });
        var (pipeline, runId) = await RunAsync(h, folder);

        var manifest = await h.ManifestAsync(pipeline, runId);
        var visits = await DuckDb.QueryAsync($"""
            SELECT count(*), count(provider_id), count(care_site_id),
                   count(*) FILTER (WHERE provider_id IS NOT NULL AND provider_id NOT IN (SELECT provider_id FROM {Read(pipeline, manifest, "provider")}))
            FROM {Read(pipeline, manifest, "visit_occurrence")}
            """);
        Assert.Equal([2L, 1L, 0L, 0L], visits.Rows[0].Select(Number));
        var report = await h.ReportAsync(pipeline, runId);
        Assert.Contains(new IntegrityCorrection("visit_occurrence", "provider_id", IntegrityCorrection.Nulled, 1), report.ReferentialIntegrity!.Corrections);
        Assert.Contains(new IntegrityCorrection("visit_occurrence", "care_site_id", IntegrityCorrection.Nulled, 2), report.ReferentialIntegrity.Corrections);
    }

    [Fact]
    public async Task A_patient_file_delivered_twice_gives_one_person_row_per_patient_the_newest_lastUpdated_winning()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        // p1's newer copy is in the first file, p2's in the second: "later file wins" or "first wins" would each
        // pick one male row; the newest lastUpdated picks the female row of both.
        var folder = Folder(h.Root, "duplicates", new Dictionary<string, string[]>
        {
            ["Patient.000.ndjson"] = [Patient("p1", "female", "2024-06-01T00:00:00Z"), Patient("p2", "male", "2024-01-01T00:00:00Z"), Patient("p3", "male")],
            ["Patient.001.ndjson"] = [Patient("p1", "male", "2024-01-01T00:00:00Z"), Patient("p2", "female", "2024-06-01T00:00:00Z"), Patient("p3", "female")],
        });
        var (pipeline, runId) = await RunAsync(h, folder);

        var manifest = await h.ManifestAsync(pipeline, runId);
        var persons = await DuckDb.QueryAsync($"SELECT count(*), count(DISTINCT person_id), count(*) FILTER (WHERE gender_concept_id = 8532) FROM {Read(pipeline, manifest, "person")}");
        // p3's copies tie on lastUpdated: the later file wins (female).
        Assert.Equal([3L, 3L, 3L], persons.Rows[0].Select(Number));
        Assert.Equal(3, manifest.Tables["person"].Rows);
        var report = await h.ReportAsync(pipeline, runId);
        Assert.Equal(3, report.ReferentialIntegrity!.DuplicateRowsByTable["person"]);
        Assert.Contains(new IntegrityCorrection("person", "person_id", IntegrityCorrection.Duplicate, 3), report.ReferentialIntegrity.Corrections);
        Assert.Equal(3, report.Totals.RowsByTable["person"]);
    }

    [Fact]
    public async Task Rows_of_a_patient_that_was_never_emitted_are_kept_out_of_the_run_as_pending_and_counted()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var folder = Folder(h.Root, "missing-person", new Dictionary<string, string[]>
        {
            ["Patient.ndjson"] = [Patient("p1", "female")],
            ["Encounter.ndjson"] = [Encounter("e1", "p1", "2023-03-01T09:00:00Z"), Encounter("e9", "p9", "2023-03-01T09:00:00Z")],
            ["Observation.ndjson"] = [HbA1c("o1", "p1", "e1"), HbA1c("o9", "p9", "e9")],
        });
        var (pipeline, runId) = await RunAsync(h, folder);

        var manifest = await h.ManifestAsync(pipeline, runId);
        foreach (var table in new[] { "visit_occurrence", "measurement", "observation_period" })
        {
            var orphans = await DuckDb.QueryAsync($"SELECT count(*) FROM {Read(pipeline, manifest, table)} WHERE person_id NOT IN (SELECT person_id FROM {Read(pipeline, manifest, "person")})");
            Assert.Equal(0, Number(orphans.Scalar));
            Assert.Equal(1, manifest.Tables[table].Rows);
        }
        var report = await h.ReportAsync(pipeline, runId);
        Assert.Contains(new IntegrityCorrection("visit_occurrence", "person_id", IntegrityCorrection.Deferred, 1), report.ReferentialIntegrity!.Corrections);
        Assert.Contains(new IntegrityCorrection("measurement", "person_id", IntegrityCorrection.Deferred, 1), report.ReferentialIntegrity.Corrections);
        // observation_period is rebuilt by every run from the merged person dates: excluded now, emitted with the person.
        Assert.Contains(new IntegrityCorrection("observation_period", "person_id", IntegrityCorrection.RowExcluded, 1), report.ReferentialIntegrity.Corrections);
    }

    [Fact]
    public async Task Events_that_arrive_before_their_patient_are_emitted_by_the_run_that_brings_the_patient()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        // p9's Patient is newer than the first export (real servers do this with _until/_since): its events wait.
        var first = Folder(h.Root, "events-first", new Dictionary<string, string[]>
        {
            ["Patient.ndjson"] = [Patient("p1", "female")],
            ["Encounter.ndjson"] = [Encounter("e1", "p1", "2023-03-01T09:00:00Z"), Encounter("e9", "p9", "2023-03-01T09:00:00Z")],
            ["Observation.ndjson"] = [HbA1c("o1", "p1", "e1"), HbA1c("o9", "p9", "e9"), HbA1c("o8", "p8", null)],
        });
        var second = Folder(h.Root, "patient-later", new Dictionary<string, string[]>
        {
            ["Patient.ndjson"] = [Patient("p9", "male")],
            ["Encounter.ndjson"] = [Encounter("e10", "p9", "2023-06-01T09:00:00Z")],
        });
        var pipeline = await h.OpenPipelineAsync();
        var run1 = await StartAsync(pipeline, first, since: null);
        var run2 = await StartAsync(pipeline, second, since: DateTimeOffset.Parse("2024-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        var report1 = await h.ReportAsync(pipeline, run1);
        Assert.Contains(new IntegrityCorrection("visit_occurrence", "person_id", IntegrityCorrection.Deferred, 1), report1.ReferentialIntegrity!.Corrections);
        Assert.Contains(new IntegrityCorrection("measurement", "person_id", IntegrityCorrection.Deferred, 2), report1.ReferentialIntegrity.Corrections);
        var report2 = await h.ReportAsync(pipeline, run2);
        Assert.Contains(new IntegrityCorrection("visit_occurrence", "person_id", IntegrityCorrection.Released, 1), report2.ReferentialIntegrity!.Corrections);
        Assert.Contains(new IntegrityCorrection("measurement", "person_id", IntegrityCorrection.Released, 1), report2.ReferentialIntegrity.Corrections);
        // p8 never came: still pending, carried forward and counted again.
        Assert.Contains(new IntegrityCorrection("measurement", "person_id", IntegrityCorrection.Deferred, 1), report2.ReferentialIntegrity.Corrections);

        var manifest2 = await h.ManifestAsync(pipeline, run2);
        // p9's visit e9 and its measurement, with its visit reference intact; e9 precedes e10.
        var measurements = await DuckDb.QueryAsync($"SELECT count(*), count(visit_occurrence_id) FROM {Read(pipeline, manifest2, "measurement")}");
        Assert.Equal([1L, 1L], measurements.Rows[0].Select(Number));
        var visits = await DuckDb.QueryAsync($"""
            SELECT count(*), count(preceding_visit_occurrence_id),
                   count(*) FILTER (WHERE visit_occurrence_id IN (SELECT visit_occurrence_id FROM {Read(pipeline, manifest2, "measurement")}))
            FROM {Read(pipeline, manifest2, "visit_occurrence")}
            """);
        Assert.Equal([2L, 1L, 1L], visits.Rows[0].Select(Number));
        // Periods span the chain: p1's and now p9's (p8 has none).
        Assert.Equal(2, Number((await DuckDb.QueryAsync($"SELECT count(*) FROM {Read(pipeline, manifest2, "observation_period")}")).Scalar));

        // A full run is a complete snapshot: the rows still pending are counted as dropped, none carried.
        var run3 = await StartAsync(pipeline, second, since: null);
        var report3 = await h.ReportAsync(pipeline, run3);
        Assert.Contains(new IntegrityCorrection("measurement", "person_id", IntegrityCorrection.PendingDropped, 1), report3.ReferentialIntegrity!.Corrections);
        Assert.DoesNotContain(report3.ReferentialIntegrity.Corrections, c => c.Reason == IntegrityCorrection.Deferred || c.Reason == IntegrityCorrection.Released);
    }

    [Fact]
    public async Task Each_visit_names_the_visit_of_the_same_person_that_started_before_it()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var folder = Folder(h.Root, "preceding", new Dictionary<string, string[]>
        {
            ["Patient.ndjson"] = [Patient("p1", "female"), Patient("p2", "male")],
            // Out of order and across two files; p2's visit falls between p1's and must not be taken.
            ["Encounter.000.ndjson"] = [Encounter("e3", "p1", "2023-05-01T09:00:00Z"), Encounter("e1", "p1", "2023-01-01T09:00:00Z")],
            ["Encounter.001.ndjson"] = [Encounter("e2", "p1", "2023-03-01T09:00:00Z"), Encounter("x1", "p2", "2023-02-01T09:00:00Z")],
        });
        var (pipeline, runId) = await RunAsync(h, folder);

        var manifest = await h.ManifestAsync(pipeline, runId);
        var visits = await DuckDb.QueryAsync($"""
            SELECT count(*), count(preceding_visit_occurrence_id),
                   count(*) FILTER (WHERE preceding_visit_occurrence_id IS NOT DISTINCT FROM expected)
            FROM (SELECT *, lag(visit_occurrence_id) OVER (PARTITION BY person_id ORDER BY visit_start_datetime, visit_occurrence_id) AS expected
                  FROM {Read(pipeline, manifest, "visit_occurrence")})
            """);
        Assert.Equal([4L, 2L, 4L], visits.Rows[0].Select(Number));
    }

    [Fact]
    public async Task An_incremental_run_keeps_references_to_visits_of_the_earlier_run_and_continues_their_preceding_chain()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var full = Folder(h.Root, "full", new Dictionary<string, string[]>
        {
            ["Patient.ndjson"] = [Patient("p1", "female")],
            ["Encounter.ndjson"] = [Encounter("e1", "p1", "2023-01-01T09:00:00Z")],
        });
        var changes = Folder(h.Root, "changes", new Dictionary<string, string[]>
        {
            // e1 and p1 are not in this export: they are in the earlier run's.
            ["Encounter.ndjson"] = [Encounter("e2", "p1", "2023-06-01T09:00:00Z")],
            ["Observation.ndjson"] = [HbA1c("o1", "p1", "e1"), HbA1c("o2", "p1", "e-unknown")],
        });
        var pipeline = await h.OpenPipelineAsync();
        var first = await StartAsync(pipeline, full, since: null);
        var second = await StartAsync(pipeline, changes, since: DateTimeOffset.Parse("2024-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        string Committed(string table, string key) => CommittedView(pipeline, table, key);
        var measurements = await DuckDb.QueryAsync($"""
            SELECT count(*), count(m.visit_occurrence_id), count(v.visit_occurrence_id), count(*) FILTER (WHERE m.person_id NOT IN (SELECT person_id FROM {Committed("person", "person_id")}))
            FROM {Committed("measurement", "measurement_id")} m LEFT JOIN {Committed("visit_occurrence", "visit_occurrence_id")} v USING (visit_occurrence_id)
            """);
        Assert.Equal([2L, 1L, 1L, 0L], measurements.Rows[0].Select(Number));
        var chain = await DuckDb.QueryAsync($"""
            SELECT count(*) FILTER (WHERE preceding_visit_occurrence_id IS NOT DISTINCT FROM expected), count(preceding_visit_occurrence_id)
            FROM (SELECT *, lag(visit_occurrence_id) OVER (PARTITION BY person_id ORDER BY visit_start_datetime) AS expected
                  FROM {Committed("visit_occurrence", "visit_occurrence_id")})
            """);
        Assert.Equal([2L, 1L], chain.Rows[0].Select(Number));
        var report = await h.ReportAsync(pipeline, second);
        Assert.Equal([new IntegrityCorrection("measurement", "visit_occurrence_id", IntegrityCorrection.Nulled, 1)], report.ReferentialIntegrity!.Corrections);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task A_visit_that_an_incremental_run_inserts_between_earlier_visits_becomes_the_later_ones_predecessor_in_the_committed_view()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var full = Folder(h.Root, "full-visits", new Dictionary<string, string[]>
        {
            ["Patient.ndjson"] = [Patient("p1", "female"), Patient("p2", "male")],
            ["Encounter.ndjson"] = [Encounter("e1", "p1", "2023-01-01T09:00:00Z"), Encounter("e3", "p1", "2023-05-01T09:00:00Z"), Encounter("x1", "p2", "2023-02-01T09:00:00Z"),
                Encounter("x2", "p2", "2023-04-01T09:00:00Z")],
        });
        // e2 starts between e1 and e3: e3's predecessor in the committed view must become e2; p2's visits are untouched.
        var changes = Folder(h.Root, "inserted-visit", new Dictionary<string, string[]>
        {
            ["Encounter.ndjson"] = [Encounter("e2", "p1", "2023-03-01T09:00:00Z")],
        });
        var pipeline = await h.OpenPipelineAsync();
        await StartAsync(pipeline, full, since: null);
        var second = await StartAsync(pipeline, changes, since: DateTimeOffset.Parse("2024-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        var chain = await DuckDb.QueryAsync($"""
            SELECT count(*), count(*) FILTER (WHERE preceding_visit_occurrence_id IS NOT DISTINCT FROM expected), count(preceding_visit_occurrence_id)
            FROM (SELECT *, lag(visit_occurrence_id) OVER (PARTITION BY person_id ORDER BY visit_start_datetime) AS expected
                  FROM {CommittedView(pipeline, "visit_occurrence", "visit_occurrence_id")})
            """);
        Assert.Equal([5L, 5L, 3L], chain.Rows[0].Select(Number));
        var report = await h.ReportAsync(pipeline, second);
        Assert.Contains(new IntegrityCorrection("visit_occurrence", "preceding_visit_occurrence_id", IntegrityCorrection.Reemitted, 1), report.ReferentialIntegrity!.Corrections);
        Assert.Equal(2, (await h.ManifestAsync(pipeline, second)).Tables["visit_occurrence"].Rows);
    }

    private static async Task<(TestPipeline Pipeline, string RunId)> RunAsync(DemoPipelineHarness h, string folder)
    {
        var pipeline = await h.OpenPipelineAsync();
        return (pipeline, await StartAsync(pipeline, folder, since: null));
    }

    private static async Task<string> StartAsync(TestPipeline pipeline, string folder, DateTimeOffset? since)
    {
        var input = DemoPipelineHarness.FolderInput("integrity", folder) with { Request = new BulkExportRequest { Since = since } };
        var id = await pipeline.StartNewAsync(input);
        Assert.Equal(RunOutcome.Completed, (await DemoPipelineHarness.RunAsync(pipeline, id)).Outcome);
        return id;
    }

    /// <summary>The committed view of a table (per key the row of the newest committed run), as a DuckDB table expression.</summary>
    private static string CommittedView(TestPipeline pipeline, string table, string key)
    {
        var lake = pipeline.Lake.Location.Replace('\\', '/');
        return $$"""
            (SELECT * EXCLUDE (newest, run) FROM (
               SELECT p.*, row_number() OVER (PARTITION BY p.{{key}} ORDER BY r.committedAt DESC) AS newest
               FROM read_parquet('{{lake}}/omop/{{table}}/run=*/*.parquet', hive_partitioning = true) p
               JOIN read_json('{{lake}}/_runs/*/manifest.json', columns = {runId: 'VARCHAR', committedAt: 'TIMESTAMPTZ'}) r ON r.runId = p.run)
             WHERE newest = 1)
            """;
    }

    /// <summary>DuckDB's BIGINT results arrive as JSON strings.</summary>
    private static long Number(System.Text.Json.JsonElement value) => long.Parse(value.ToString(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The table's parts of the run's manifest, as a DuckDB table expression.</summary>
    private static string Read(TestPipeline pipeline, RunManifest manifest, string table) =>
        $"read_parquet([{string.Join(",", manifest.Tables[table].Files.Select(f => DuckDb.Literal(Path.Combine(pipeline.Lake.Location, f.Path))))}])";
}
