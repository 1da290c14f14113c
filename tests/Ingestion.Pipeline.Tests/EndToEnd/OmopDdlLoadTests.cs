using Ingestion.DemoServer;
using Ingestion.Omop;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>docs/omop-ddl: a site loads the lake into the CDM 5.4 DDL (BIGINT keys) with the shipped loader.</summary>
public sealed class OmopDdlLoadTests
{
    [Fact]
    [Trait("Category", TestCategories.Conformance)]
    public async Task The_shipped_loader_loads_a_synthea_run_into_the_cdm_ddl_with_its_primary_keys_and_every_row()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var pipeline = await h.OpenWithSyntheaVocabularyAsync();
        var id = await pipeline.StartNewAsync(DemoPipelineHarness.SyntheaInput);
        Assert.Equal(RunOutcome.Completed, (await DemoPipelineHarness.RunAsync(pipeline, id)).Outcome);
        var manifest = await h.ManifestAsync(pipeline, id);

        var docs = Path.Combine(RepositoryPaths.RepositoryRoot, "docs", "omop-ddl");
        var lake = pipeline.Lake.Location.Replace('\\', '/');
        string Script(string path) => File.ReadAllText(path).Replace("@cdmDatabaseSchema", "main", StringComparison.Ordinal).Replace("@lake", lake, StringComparison.Ordinal);
        var cdmTables = manifest.Tables.Keys.Where(t => CdmTables.All.Single(c => c.Name == t).IsCdm).Order(StringComparer.Ordinal).ToList();
        var counts = string.Join(" UNION ALL ", cdmTables.Select(t => $"SELECT '{t}' AS t, count(*) AS n FROM main.{t}"));
        var sql = string.Join("\n",
            Script(Path.Combine(docs, "OMOPCDM_duckdb_5.4_ddl.sql")),
            // The official primary keys: a duplicate or truncated key would fail the load.
            Script(SharedData.PathOf("omop", "cdm-5.4", "ddl-5.4", "duckdb", "OMOPCDM_duckdb_5.4_primary_keys.sql")),
            Loader(Script(Path.Combine(docs, "load-lake-duckdb.sql")), manifest.Tables.Keys),
            counts + ";");

        var result = await DuckDb.QueryAsync(sql);

        var loaded = result.Rows.ToDictionary(r => r[0].GetString()!, r => long.Parse(r[1].ToString()));
        Assert.Equal(cdmTables.Count, loaded.Count);
        foreach (var table in cdmTables) Assert.Equal(manifest.Tables[table].Rows, loaded[table]);
        Assert.True(loaded["person"] > 0 && loaded["measurement"] > 0);
    }

    /// <summary>The loader without the statements of tables no run holds, as its header tells a site to do.</summary>
    private static string Loader(string script, IEnumerable<string> tablesWithRows)
    {
        var present = tablesWithRows.ToHashSet(StringComparer.Ordinal);
        var statements = script.Split(";\n", StringSplitOptions.RemoveEmptyEntries);
        return string.Join(";\n", statements.Where(s => !s.Contains("INSERT INTO main.", StringComparison.Ordinal)
            || present.Contains(s[(s.IndexOf("INSERT INTO main.", StringComparison.Ordinal) + 17)..].Split(' ', '\n')[0]))) + ";";
    }
}
