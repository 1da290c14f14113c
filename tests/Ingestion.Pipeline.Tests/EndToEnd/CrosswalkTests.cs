using Ingestion.DemoServer;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;
using Ingestion.Privacy;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>The optional re-identification crosswalk: off by default, and when on, only in its own location.</summary>
public sealed class CrosswalkTests
{
    private static readonly DemoServerOptions Demo = new() { Patients = 4, Seed = 11, ResourcesPerFile = 200 };

    [Fact]
    public async Task With_a_crosswalk_location_every_published_person_id_resolves_to_its_patient_there_and_nowhere_else()
    {
        await using var h = await DemoPipelineHarness.StartAsync(Demo);
        var crosswalkRoot = Path.Combine(h.Root, "protected-crosswalk");
        var pipeline = await h.OpenPipelineAsync(crosswalkLocation: crosswalkRoot);
        var id = await pipeline.StartNewAsync(h.ServerInput() with { Request = new Fhir.BulkData.BulkExportRequest { Types = ["Patient", "Condition"] } });

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.True(status.Outcome == RunOutcome.Completed, System.Text.Json.JsonSerializer.Serialize(status.Output, StateJson.Options));
        var entries = new List<CrosswalkEntry>();
        foreach (var file in Directory.GetFiles(Path.Combine(crosswalkRoot, id), "crosswalk-*.csv"))
        {
            await using var stream = File.OpenRead(file);
            await foreach (var entry in ReidentificationCrosswalk.ReadAsync(stream, CancellationToken.None)) entries.Add(entry);
        }
        // A patient appears in every file that mentions it, always with the same key.
        var persons = entries.Where(e => e.Domain == OmopKeyDomain.Person)
            .GroupBy(e => e.PseudonymousId)
            .ToDictionary(g => g.Key, g => Assert.Single(g.Select(e => e.LogicalId).Distinct()));
        var manifest = await h.ManifestAsync(pipeline, id);
        var files = string.Join(",", manifest.Tables["person"].Files.Select(f => DuckDb.Literal(Path.Combine(pipeline.Lake.Location, f.Path))));
        var published = await DuckDb.QueryAsync($"SELECT person_id FROM read_parquet([{files}])");
        Assert.Equal(h.Server.Expected.ValidResources["Patient"], published.Rows.Count);
        Assert.All(published.Rows, row => Assert.True(persons.ContainsKey(long.Parse(row[0].GetString()!, System.Globalization.CultureInfo.InvariantCulture))));
        // Each logical id maps back to the same key the keyed de-identifier derives.
        var deid = new KeyedDeidentifier(new DeidentificationOptions { Key = h.Key });
        Assert.All(entries, e => Assert.Equal(deid.PseudonymousId(e.Domain, e.LogicalId), e.PseudonymousId));
        // The crosswalk never lands in the lake or the quarantine.
        Assert.Empty(Directory.GetFiles(pipeline.Lake.Location, "crosswalk-*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(pipeline.Quarantine.Location, "crosswalk-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Without_a_crosswalk_location_no_crosswalk_is_written()
    {
        await using var h = await DemoPipelineHarness.StartAsync(Demo);
        var pipeline = await h.OpenPipelineAsync();
        var id = await pipeline.StartNewAsync(h.ServerInput() with { Request = new Fhir.BulkData.BulkExportRequest { Types = ["Patient"] } });

        Assert.Equal(RunOutcome.Completed, (await DemoPipelineHarness.RunAsync(pipeline, id)).Outcome);
        Assert.Empty(Directory.GetFiles(h.Root, "crosswalk-*", SearchOption.AllDirectories));
    }
}
