using Ingestion.DemoServer;
using Ingestion.Fhir.BulkData;
using Ingestion.Omop;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;
using Ingestion.Testing;
using Xunit.Abstractions;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// The committed view (docs/lake-layout.md: per key the row of the newest committed run, minus keys a later run lists
/// in deletions) of a chain — a full run of the data as of T1, then incremental runs (T1, T2] and (T2, now] bringing
/// new patients, new events of earlier patients and deletions, then one more incremental run since T1 that brings the
/// same resources again — equals, table by table, one full run of the final data (observation_period and the eras are
/// merged across runs by the reduce, dimensions and events are "newest row wins").
/// </summary>
public sealed class IncrementalCommittedViewTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_full_run_then_incremental_runs_commit_every_table_as_one_full_run_of_the_final_data()
    {
        var demo = new DemoServerOptions { Patients = 30, Seed = 11, ResourcesPerFile = 400, DefectRate = 0 };
        await using var h = await DemoPipelineHarness.StartAsync(demo);
        var (t1, t2) = (SyntheticPatientGenerator.Anchor.AddDays(-900), SyntheticPatientGenerator.Anchor.AddDays(-300));
        var chain = await h.OpenPipelineAsync(lake: "chain");
        var perRun = new List<string>();
        // The last run overlaps the two before it: the same resources again in a later run (a re-delivery).
        foreach (var request in new[] { new BulkExportRequest { Until = t1 }, new BulkExportRequest { Since = t1, Until = t2 }, new BulkExportRequest { Since = t2 },
                     new BulkExportRequest { Since = t1 } })
        {
            var id = await chain.StartNewAsync(h.ServerInput() with { Request = request });
            Assert.Equal(RunOutcome.Completed, (await DemoPipelineHarness.RunAsync(chain, id)).Outcome);
            var tables = (await h.ManifestAsync(chain, id)).Tables;
            perRun.Add(string.Join(" ", new[] { "person", "visit_occurrence", "measurement", "deletions" }.Select(t => $"{t}={tables.GetValueOrDefault(t)?.Rows ?? 0}")));
        }
        output.WriteLine("chain runs: " + string.Join(" / ", perRun));
        var single = await h.OpenPipelineAsync(lake: "single");
        var full = await single.StartNewAsync(h.ServerInput());
        Assert.Equal(RunOutcome.Completed, (await DemoPipelineHarness.RunAsync(single, full)).Outcome);

        var chainLake = chain.Lake.Location.Replace('\\', '/');
        var singleLake = single.Lake.Location.Replace('\\', '/');
        var hasDeletions = Directory.Exists(Path.Combine(chain.Lake.Location, "omop", "deletions"));
        var compared = new List<string>();
        var differences = new List<string>();
        // cdm_source describes each run (its release date), not the data: not compared.
        foreach (var table in CdmTables.All.Where(t => t.IsCdm && t != CdmTables.CdmSource))
        {
            var inSingle = Directory.Exists(Path.Combine(single.Lake.Location, "omop", table.Name));
            var inChain = Directory.Exists(Path.Combine(chain.Lake.Location, "omop", table.Name));
            Assert.True(inSingle == inChain, $"{table.Name}: written by {(inSingle ? "the full run only" : "the chain only")}");
            if (!inSingle) continue;
            var key = table.Columns[0].Name;
            var deletions = hasDeletions ? $"""
                AND NOT EXISTS (
                  SELECT 1 FROM read_parquet('{chainLake}/omop/deletions/run=*/*.parquet', hive_partitioning = true) d JOIN runs dr ON dr.runId = d.run
                  WHERE d.omop_table = '{table.Name}' AND d.row_id = rows.{key} AND dr.committedAt > rows.committedAt)
                """ : "";
            var committed = await DuckDb.QueryAsync($$"""
                WITH runs AS (
                  SELECT runId, committedAt FROM read_json('{{chainLake}}/_runs/*/manifest.json', columns = {runId: 'VARCHAR', committedAt: 'TIMESTAMPTZ'})
                ), rows AS (
                  SELECT t.*, r.committedAt, row_number() OVER (PARTITION BY t.{{key}} ORDER BY r.committedAt DESC) AS newest
                  FROM read_parquet('{{chainLake}}/omop/{{table.Name}}/run=*/*.parquet', hive_partitioning = true) t JOIN runs r ON r.runId = t.run
                )
                SELECT * EXCLUDE (run, committedAt, newest) FROM rows WHERE newest = 1 {{deletions}} ORDER BY ALL
                """);
            var expected = await DuckDb.QueryAsync($"""
                SELECT * EXCLUDE (run) FROM read_parquet('{singleLake}/omop/{table.Name}/run={full}/*.parquet', hive_partitioning = true) ORDER BY ALL
                """);
            var (a, b) = (Text(expected), Text(committed));
            compared.Add($"{table.Name} {a.Count}");
            if (!a.SequenceEqual(b))
                differences.Add($"{table.Name}: full {a.Count} rows, committed view {b.Count}; {a.Except(b).Count()} rows only in the full run, {b.Except(a).Count()} only in the view");
        }
        output.WriteLine("compared (rows): " + string.Join(", ", compared));
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        // The chain must exercise what it claims: every clinical table with rows, eras included.
        foreach (var table in new[] { "person", "visit_occurrence", "condition_occurrence", "drug_exposure", "measurement", "observation_period", "condition_era", "drug_era" })
            Assert.Contains(compared, c => c.StartsWith(table + " ", StringComparison.Ordinal) && !c.EndsWith(" 0", StringComparison.Ordinal));
    }

    private static List<string> Text(DuckDb.Result r) => r.Rows.Select(row => string.Join("|", row.Select(v => v.ToString()))).ToList();
}
