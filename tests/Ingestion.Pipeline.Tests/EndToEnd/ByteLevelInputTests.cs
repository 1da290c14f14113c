using System.Text;
using Ingestion.DemoServer;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>Bytes as files arrive: a byte order mark loses nothing, invalid UTF-8 is quarantined in a file JSON readers open.</summary>
public sealed class ByteLevelInputTests
{
    private const string Secret = "Jane-Secret-Doe";

    private static string Patient(string id, string family) =>
        $$"""{"resourceType":"Patient","id":"{{id}}","identifier":[{"system":"urn:x","value":"{{id}}"}],"name":[{"family":"{{family}}"}],"gender":"female","birthDate":"1970-01-02"}""";

    [Fact]
    public async Task A_bom_keeps_the_first_patient_and_an_invalid_utf8_line_is_quarantined_base64_encoded()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var folder = Directory.CreateDirectory(Path.Combine(h.Root, "landed")).FullName;
        var bad = Encoding.UTF8.GetBytes(Patient("p3", Secret));
        bad[Array.IndexOf(bad, (byte)'J')] = 0xC0; // an overlong-encoding lead byte: never valid UTF-8
        byte[] file = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Patient("p1", "Zoë") + "\n" + Patient("p2", "B") + "\n"), .. bad, (byte)'\n'];
        await File.WriteAllBytesAsync(Path.Combine(folder, "Patient.ndjson"), file);
        await using var pipeline = await h.OpenPipelineAsync();

        var id = await pipeline.StartNewAsync(DemoPipelineHarness.FolderInput("landed", folder));
        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RunOutcome.Completed, status.Outcome);
        Assert.Equal(2, (await h.ManifestAsync(pipeline, id)).Tables["person"].Rows);
        var report = await h.ReportAsync(pipeline, id);
        Assert.Equal(1, report.QuarantinedByReason.GetValueOrDefault("ndjson:invalid-utf8"));
        var record = Assert.Single(await DemoPipelineHarness.QuarantineRecordsAsync(pipeline, id));
        Assert.Equal(3, record.GetProperty("line").GetInt64());
        Assert.Equal(bad, record.GetProperty("rawBase64").GetBytesFromBase64());

        // DuckDB opens the quarantine file as JSON.
        var quarantineFiles = new List<string>();
        await foreach (var item in pipeline.Quarantine.ListAsync(LakePaths.QuarantinePrefix(id))) quarantineFiles.Add(Path.Combine(h.Root, "lake-quarantine", item.Path));
        var path = Assert.Single(quarantineFiles);
        var count = await DuckDb.QueryAsync($"SELECT count(*) FROM read_json({DuckDb.Literal(path)}, format = 'newline_delimited') WHERE reason = 'ndjson:invalid-utf8'");
        Assert.Equal(1, long.Parse(count.Scalar.GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
