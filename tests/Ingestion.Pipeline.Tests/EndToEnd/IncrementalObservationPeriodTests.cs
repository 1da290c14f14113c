using Ingestion.DemoServer;
using Ingestion.Fhir.BulkData;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>observation_period across published runs: a full run then two incremental runs give, through the committed
/// view (newest run per key), the periods one full run of the same data gives.</summary>
public sealed class IncrementalObservationPeriodTests
{
    [Fact]
    public async Task Two_incremental_runs_after_a_full_run_commit_the_observation_periods_of_one_full_run()
    {
        var demo = new DemoServerOptions { Patients = 30, Seed = 8, ResourcesPerFile = 500, DefectRate = 0 };
        await using var h = await DemoPipelineHarness.StartAsync(demo);
        var chain = await h.OpenPipelineAsync(lake: "chain");
        foreach (var since in new DateTimeOffset?[] { null, SyntheticPatientGenerator.Anchor.AddDays(-800), SyntheticPatientGenerator.Anchor.AddDays(-400) })
        {
            var id = await chain.StartNewAsync(h.ServerInput() with { Request = new BulkExportRequest { Since = since } });
            Assert.Equal(RunOutcome.Completed, (await DemoPipelineHarness.RunAsync(chain, id)).Outcome);
        }
        var single = await h.OpenPipelineAsync(lake: "single");
        var full = await single.StartNewAsync(h.ServerInput());
        Assert.Equal(RunOutcome.Completed, (await DemoPipelineHarness.RunAsync(single, full)).Outcome);

        var chainLake = chain.Lake.Location.Replace('\\', '/');
        var committed = await DuckDb.QueryAsync($$"""
            WITH runs AS (
              SELECT runId, committedAt FROM read_json('{{chainLake}}/_runs/*/manifest.json', columns = {runId: 'VARCHAR', committedAt: 'TIMESTAMPTZ'})
            ), rows AS (
              SELECT p.*, row_number() OVER (PARTITION BY p.observation_period_id ORDER BY r.committedAt DESC) AS newest
              FROM read_parquet('{{chainLake}}/omop/observation_period/run=*/*.parquet', hive_partitioning = true) p JOIN runs r ON r.runId = p.run
            )
            SELECT person_id, observation_period_start_date, observation_period_end_date FROM rows WHERE newest = 1 ORDER BY person_id
            """);
        var expected = await DuckDb.QueryAsync($"""
            SELECT person_id, observation_period_start_date, observation_period_end_date
            FROM read_parquet('{single.Lake.Location.Replace('\\', '/')}/omop/observation_period/run={full}/*.parquet') ORDER BY person_id
            """);

        static List<string> Text(DuckDb.Result r) => r.Rows.Select(row => string.Join("|", row.Select(v => v.ToString()))).ToList();
        Assert.NotEmpty(expected.Rows);
        Assert.Equal(Text(expected), Text(committed));

        // condition_era and drug_era: an incremental run builds them from the chain's staged events too.
        foreach (var (table, columns) in new[] { ("condition_era", "person_id, condition_concept_id, condition_era_start_date, condition_era_end_date, condition_occurrence_count"),
                     ("drug_era", "person_id, drug_concept_id, drug_era_start_date, drug_era_end_date, drug_exposure_count, gap_days") })
        {
            var committedEras = await DuckDb.QueryAsync($$"""
                WITH runs AS (
                  SELECT runId, committedAt FROM read_json('{{chainLake}}/_runs/*/manifest.json', columns = {runId: 'VARCHAR', committedAt: 'TIMESTAMPTZ'})
                ), rows AS (
                  SELECT p.*, row_number() OVER (PARTITION BY p.{{table}}_id ORDER BY r.committedAt DESC) AS newest
                  FROM read_parquet('{{chainLake}}/omop/{{table}}/run=*/*.parquet', hive_partitioning = true) p JOIN runs r ON r.runId = p.run
                )
                SELECT {{columns}} FROM rows WHERE newest = 1 ORDER BY ALL
                """);
            var expectedEras = await DuckDb.QueryAsync($"""
                SELECT {columns} FROM read_parquet('{single.Lake.Location.Replace('\\', '/')}/omop/{table}/run={full}/*.parquet') ORDER BY ALL
                """);
            Assert.NotEmpty(expectedEras.Rows);
            Assert.Equal(Text(expectedEras), Text(committedEras));
        }
    }
}
