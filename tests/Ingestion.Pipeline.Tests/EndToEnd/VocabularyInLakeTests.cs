using Ingestion.DemoServer;
using Ingestion.Omop;
using Ingestion.Orchestration;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>The vocabulary tables in the lake (vocab build --lake): the standard cohort SQL runs on the lake alone.</summary>
public sealed class VocabularyInLakeTests
{
    [Fact]
    [Trait("Category", TestCategories.Conformance)]
    public async Task The_seed_cohort_query_runs_on_the_lakes_own_vocabulary_tables()
    {
        var athena = DemoPipelineHarness.SyntheaVocabularyFolder;
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var pipeline = await h.OpenWithSyntheaVocabularyAsync();
        var publisher = new VocabularyLakePublisher(pipeline.Lake, new PipelineOptions());
        var published = await publisher.PublishAsync(athena, pipeline.VocabularyVersion, CancellationToken.None);
        var id = await pipeline.StartNewAsync(DemoPipelineHarness.SyntheaInput);
        Assert.Equal(RunOutcome.Completed, (await DemoPipelineHarness.RunAsync(pipeline, id)).Outcome);

        Assert.False(published.AlreadyPublished);
        Assert.True((await publisher.PublishAsync(athena, pipeline.VocabularyVersion, CancellationToken.None)).AlreadyPublished);
        var lake = pipeline.Lake.Location.Replace('\\', '/');
        string Table(string table) => $"read_parquet('{lake}/omop/{table}/run={id}/*.parquet')";
        // cdm_source names the version; the lake holds that version's tables.
        var version = (await DuckDb.QueryAsync($"SELECT vocabulary_version FROM {Table("cdm_source")}")).Scalar.GetString()!;
        Assert.Equal(pipeline.VocabularyVersion, version);
        var vocab = $"{lake}/{LakePaths.VocabularyPrefix(version)}";
        foreach (var t in VocabularyTables.All)
        {
            var n = await DuckDb.QueryAsync($"SELECT count(*) FROM read_parquet('{vocab}{t.Name}/*.parquet')");
            var sourceRows = File.ReadLines(Path.Combine(athena, AthenaTableReader.FileNameOf(t))).Count() - 1;
            // The shard's CONCEPT_ANCESTOR is header-only: the lake gets the derived closure instead.
            if (t == VocabularyTables.ConceptAncestor) Assert.True(sourceRows == 0 && long.Parse(n.Scalar.GetString()!) > 0);
            else Assert.Equal(sourceRows, long.Parse(n.Scalar.GetString()!));
            Assert.Equal(published.Rows[t.Name], long.Parse(n.Scalar.GetString()!));
        }

        var self = await DuckDb.QueryAsync($"SELECT min_levels_of_separation, max_levels_of_separation FROM read_parquet('{vocab}concept_ancestor/*.parquet') WHERE ancestor_concept_id = 201826 AND descendant_concept_id = 201826");
        Assert.Equal(0, self.Rows.Single()[0].GetInt32());

        // The seed cohort: type 2 diabetes (201826 and descendants, via concept_ancestor) with an HbA1c (3004410).
        var cohort = await DuckDb.QueryAsync($"""
            SELECT count(DISTINCT c.person_id)
            FROM {Table("condition_occurrence")} c
            JOIN read_parquet('{vocab}concept_ancestor/*.parquet') ca ON ca.descendant_concept_id = c.condition_concept_id
            JOIN read_parquet('{vocab}concept/*.parquet') a ON a.concept_id = ca.ancestor_concept_id AND a.concept_id = 201826 AND a.standard_concept = 'S'
            WHERE EXISTS (SELECT 1 FROM {Table("measurement")} m WHERE m.person_id = c.person_id AND m.measurement_concept_id = 3004410)
            """);
        // The same cohort with the descendants computed here from the Athena CONCEPT_RELATIONSHIP ("Is a", valid),
        // not read from the lake.
        var childrenOf = File.ReadLines(Path.Combine(athena, "CONCEPT_RELATIONSHIP.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f[2] == "Is a" && f[5].Trim('"').Length == 0).ToLookup(f => f[1], f => f[0]);
        var descendants = new HashSet<string> { "201826" };
        for (var frontier = new List<string> { "201826" }; frontier.Count > 0;)
            frontier = frontier.SelectMany(p => childrenOf[p]).Where(descendants.Add).ToList();
        var expected = await DuckDb.QueryAsync($"""
            SELECT count(DISTINCT c.person_id) FROM {Table("condition_occurrence")} c
            WHERE c.condition_concept_id IN ({string.Join(",", descendants)})
              AND EXISTS (SELECT 1 FROM {Table("measurement")} m WHERE m.person_id = c.person_id AND m.measurement_concept_id = 3004410)
            """);
        Assert.NotEmpty(descendants);
        Assert.True(long.Parse(cohort.Scalar.GetString()!) > 0);
        Assert.Equal(expected.Scalar.GetString(), cohort.Scalar.GetString());
    }
}
