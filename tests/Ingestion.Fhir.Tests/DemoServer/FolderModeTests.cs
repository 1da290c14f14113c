using System.Net;
using Ingestion.DemoServer;
using Ingestion.Testing;

namespace Ingestion.Fhir.Tests.DemoServer;

public sealed class FolderModeTests
{
    [Fact]
    [Trait("Category", TestCategories.Conformance)]
    public async Task Synthea_100_patients_are_served_line_for_line_unchanged()
    {
        var folder = SharedData.PathOf("synthea", "100-patients");
        await using var server = await DemoFhirServer.StartAsync(new DemoServerOptions { FolderPath = folder, ResourcesPerFile = 1000 });
        using var client = new DemoServerClient(server.BaseUrl);
        var manifest = await client.WaitForManifestAsync(await client.KickOffAsync());
        var served = await client.DownloadAllAsync(manifest);

        var files = Directory.GetFiles(folder, "*.ndjson");
        Assert.Equal(files.Select(Path.GetFileNameWithoutExtension).Order(), served.Keys.Order());
        foreach (var file in files)
        {
            var type = Path.GetFileNameWithoutExtension(file);
            var expected = File.ReadLines(file).Where(l => l.Length > 0).ToList();
            Assert.Equal(expected.Count, server.Expected.LinesOf(type));
            Assert.True(expected.SequenceEqual(served[type]), $"{type}: served lines differ from the source file");
        }
        // Counted, never printed: the lines are patient records.
        Assert.True(served["DiagnosticReport"].Count(l => l.Contains("urn:uuid:", StringComparison.Ordinal)) > 0, "urn:uuid: references were expected to pass through");
        Assert.All(manifest.GetProperty("output").EnumerateArray(), f => Assert.InRange(f.GetProperty("count").GetInt64(), 1, 1000));
    }

    [Fact]
    public async Task Folder_mode_serves_only_the_requested_types_and_refuses_since()
    {
        var folder = Directory.CreateTempSubdirectory("demo-folder-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "Patient.ndjson"), "{\"resourceType\":\"Patient\",\"id\":\"a\"}\r\n{\"resourceType\":\"Patient\",\"id\":\"b\"}\n");
            await File.WriteAllTextAsync(Path.Combine(folder, "Condition.ndjson"), "{\"resourceType\":\"Condition\",\"id\":\"c\",\"subject\":{\"reference\":\"urn:uuid:a\"}}");
            await using var server = await DemoFhirServer.StartAsync(new DemoServerOptions { FolderPath = folder, ResourcesPerFile = 1 });
            using var client = new DemoServerClient(server.BaseUrl);

            var manifest = await client.WaitForManifestAsync(await client.KickOffAsync("/$export?_type=Condition"));
            var served = await client.DownloadAllAsync(manifest);
            Assert.Equal(["Condition"], served.Keys);
            Assert.Equal("{\"resourceType\":\"Condition\",\"id\":\"c\",\"subject\":{\"reference\":\"urn:uuid:a\"}}", Assert.Single(served["Condition"]));

            var all = await client.DownloadAllAsync(await client.WaitForManifestAsync(await client.KickOffAsync()));
            Assert.Equal(["{\"resourceType\":\"Patient\",\"id\":\"a\"}", "{\"resourceType\":\"Patient\",\"id\":\"b\"}"], all["Patient"]);
            Assert.Equal(2, server.Expected.LinesOf("Patient"));

            using var since = await client.SendAsync(client.Request(HttpMethod.Get, "/$export?_since=2020-01-01T00:00:00Z"));
            Assert.Equal(HttpStatusCode.BadRequest, since.StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
