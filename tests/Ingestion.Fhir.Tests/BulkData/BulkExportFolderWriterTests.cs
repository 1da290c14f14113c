using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Fhir.BulkData;

namespace Ingestion.Fhir.Tests.BulkData;

public class BulkExportFolderWriterTests
{
    [Fact]
    public async Task A_completed_export_lands_in_the_folder_with_a_local_manifest_and_bad_lines_quarantined_with_reasons()
    {
        await using var demo = await DemoExport.StartAsync(new DemoServerOptions { Patients = 5, Seed = 3, ResourcesPerFile = 50, DefectRate = 0.2, Faults = new DemoFaults { ErrorFile = true, DropConnection = 1 } }, auth: false);
        var client = demo.CreateClient(auth: false);
        var manifest = await client.WaitForCompletionAsync(await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None), null, CancellationToken.None);
        var folder = Directory.CreateTempSubdirectory("bulk-folder-").FullName;
        var reports = new List<BulkExportDownloadProgress>();
        try
        {
            var summary = await new BulkExportFolderWriter(client, parallelism: 3).WriteAsync(manifest, folder, new SyncProgress(reports), CancellationToken.None);

            var expected = demo.Server.Expected;
            var malformed = expected.TotalDefects(DefectKind.MalformedJson);
            Assert.True(malformed > 0, "the generator should have produced malformed lines at this defect rate");
            Assert.Equal(expected.TotalLines - malformed, summary.ResourcesPerType.Values.Sum());
            Assert.Equal(malformed, summary.InvalidLinesPerType.Values.Sum());
            Assert.Equal(1, summary.ErrorFiles);

            using var local = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, BulkExportFolderWriter.ManifestFileName)));
            long listed = 0;
            foreach (var file in local.RootElement.GetProperty("output").EnumerateArray())
            {
                var path = Path.Combine(folder, file.GetProperty("url").GetString()!);
                var lines = File.ReadLines(path).Count();
                Assert.Equal(file.GetProperty("count").GetInt64(), lines);
                listed += lines;
            }
            Assert.Equal(summary.ResourcesPerType.Values.Sum(), listed);
            Assert.Empty(Directory.EnumerateFiles(folder, "*.partial", SearchOption.AllDirectories));

            var reasons = File.ReadLines(Path.Combine(folder, "quarantine", "reasons.ndjson")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(malformed, reasons.Count);
            Assert.All(reasons, r => Assert.StartsWith("invalid-json", r.GetProperty("reason").GetString()));
            Assert.All(reasons, r => Assert.True(r.GetProperty("line").GetInt64() > 0));
            var quarantined = Directory.EnumerateFiles(Path.Combine(folder, "quarantine"), "*.ndjson").Where(p => !p.EndsWith("reasons.ndjson", StringComparison.Ordinal)).Sum(p => File.ReadLines(p).Count());
            Assert.Equal(malformed, quarantined);

            Assert.Single(Directory.EnumerateFiles(Path.Combine(folder, "error")));
            Assert.Equal(manifest.Output.Count + 1, reports[^1].FilesDone);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class SyncProgress(List<BulkExportDownloadProgress> reports) : IProgress<BulkExportDownloadProgress>
    {
        public void Report(BulkExportDownloadProgress value)
        {
            lock (reports) reports.Add(value);
        }
    }
}
