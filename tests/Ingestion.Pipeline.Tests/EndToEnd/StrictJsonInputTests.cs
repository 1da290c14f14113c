using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Orchestration;
using Ingestion.Pipeline.Publishing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>The pipeline reads each line as strictly as FHIR JSON is defined (issue #16), in the same pass that builds
/// the tree validation and mapping read.</summary>
public sealed class StrictJsonInputTests
{
    private const string Secret = "Jane-Secret-Doe";
    private const string Good = """{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:x","value":"p1"}],"gender":"female","birthDate":"1970-01-02"}""";

    [Fact]
    public async Task A_resource_with_a_duplicate_key_is_quarantined_and_counted_while_its_neighbours_are_mapped()
    {
        // Which gender is meant is unknown: a JSON parser would silently keep the last one.
        var duplicate = $$"""{"resourceType":"Patient","id":"p2","identifier":[{"system":"urn:x","value":"p2"}],"name":[{"family":"{{Secret}}"}],"gender":"female","gender":"male","birthDate":"1970-01-02"}""";

        var (persons, report, quarantined) = await IngestPatientsAsync(Good, duplicate);

        Assert.Equal(1, persons);
        Assert.Equal(1, report.QuarantinedByReason.GetValueOrDefault("validation:json.duplicate-key"));
        Assert.Equal(1, report.ValidationIssues.GetValueOrDefault("json.duplicate-key"));
        var record = Assert.Single(quarantined);
        Assert.Equal(2, record.GetProperty("line").GetInt64());
        Assert.Equal("validation:json.duplicate-key", record.GetProperty("reason").GetString());
        // The line is kept as written (a string: with two values for one key it is not a resource).
        Assert.Equal(duplicate, record.GetProperty("raw").GetString());
        Assert.DoesNotContain(Secret, JsonSerializer.Serialize(report));
    }

    [Fact]
    public async Task Malformed_json_after_the_resource_type_is_quarantined_as_invalid_json_and_a_second_resource_type_as_a_duplicate_key()
    {
        var truncated = $$"""{"resourceType":"Patient","id":"p2","name":[{"family":"{{Secret}}"}""";
        const string twoTypes = """{"resourceType":"Patient","id":"p3","gender":"male","resourceType":"Patient"}""";

        var (persons, _, quarantined) = await IngestPatientsAsync(Good, truncated, twoTypes);

        Assert.Equal(1, persons);
        Assert.Equal(["2 ndjson:invalid-json", "3 validation:json.duplicate-key"],
            quarantined.Select(r => $"{r.GetProperty("line").GetInt64()} {r.GetProperty("reason").GetString()}").Order(StringComparer.Ordinal));
    }

    /// <summary>Lands the lines as Patient.ndjson and runs the pipeline over the folder.</summary>
    private static async Task<(long PersonRows, RunReport Report, List<JsonElement> Quarantined)> IngestPatientsAsync(params string[] lines)
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var folder = Directory.CreateDirectory(Path.Combine(h.Root, "landed")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "Patient.ndjson"), string.Join("\n", lines) + "\n");
        await using var pipeline = await h.OpenPipelineAsync();

        var id = await pipeline.StartNewAsync(DemoPipelineHarness.FolderInput("landed", folder));
        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RunOutcome.Completed, status.Outcome);
        return ((await h.ManifestAsync(pipeline, id)).Tables["person"].Rows, await h.ReportAsync(pipeline, id), await DemoPipelineHarness.QuarantineRecordsAsync(pipeline, id));
    }
}
