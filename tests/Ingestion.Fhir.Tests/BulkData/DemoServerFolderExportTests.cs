using Ingestion.DemoServer;
using Ingestion.Fhir.BulkData;
using Ingestion.Testing;

namespace Ingestion.Fhir.Tests.BulkData;

/// <summary>Folder mode: the Synthea reference set exported through the demo server arrives intact.</summary>
public class DemoServerFolderExportTests
{
    [Fact]
    [Trait("Category", TestCategories.Conformance)]
    public async Task Every_synthea_resource_arrives_once_and_identical_per_type()
    {
        var folder = SharedData.PathOf("synthea", "100-patients");
        await using var demo = await DemoExport.StartAsync(new DemoServerOptions { FolderPath = folder, ResourcesPerFile = 5000 }, auth: false);
        var client = demo.CreateClient(auth: false);

        var manifest = await client.WaitForCompletionAsync(await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None), null, CancellationToken.None);
        var downloaded = await DemoExport.DownloadAsync(client, manifest, keepLines: true);

        foreach (var path in Directory.EnumerateFiles(folder, "*.ndjson"))
        {
            var type = Path.GetFileNameWithoutExtension(path);
            var source = File.ReadLines(path).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Order(StringComparer.Ordinal).ToList();
            var received = downloaded.Lines[type].Order(StringComparer.Ordinal).ToList();
            Assert.Equal(source.Count, received.Count);
            Assert.True(source.SequenceEqual(received), $"{type}: the exported lines differ from the source file");
            Assert.Equal(0, downloaded.ErrorLinesPerType[type]);
        }
        Assert.Equal(0, downloaded.DuplicateIds);
        Assert.Contains(downloaded.Lines.Values.SelectMany(l => l), l => l.Contains("urn:uuid:", StringComparison.Ordinal));
    }
}
