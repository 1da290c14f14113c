using System.IO.Compression;
using System.Text;
using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline.Sources;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Tests.Engine;

public sealed class LandedFolderSourceTests
{
    [Fact]
    public async Task A_big_file_is_split_into_line_aligned_chunks_that_together_yield_every_line_once_with_its_file_line_number()
    {
        var folder = Directory.CreateTempSubdirectory("landed-").FullName;
        try
        {
            var lines = Enumerable.Range(1, 300).Select(i => i == 57 ? "{broken" : i == 120 ? "" : $$"""{"resourceType":"Patient","id":"p{{i}}"}""").ToList();
            await File.WriteAllTextAsync(Path.Combine(folder, "Patient.ndjson"), string.Join("\n", lines) + "\n");
            await File.WriteAllTextAsync(Path.Combine(folder, "Condition.ndjson"), """{"resourceType":"Condition","id":"c1"}""" + "\n");
            var whole = new LandedFolderSource(folder);
            var chunked = new LandedFolderSource(folder, chunkBytes: 1000);

            var wholeManifest = (await whole.PollAsync(await whole.KickOffAsync(new BulkExportRequest(), default), default)).Manifest!;
            var chunkedManifest = (await chunked.PollAsync(await chunked.KickOffAsync(new BulkExportRequest(), default), default)).Manifest!;

            Assert.Equal(2, wholeManifest.Output.Count);
            Assert.True(chunkedManifest.Output.Count(f => f.Type == "Patient") > 5);
            Assert.Single(chunkedManifest.Output, f => f.Type == "Condition"); // small files stay whole
            var expected = await ReadAllAsync(whole, wholeManifest.Output);
            var actual = await ReadAllAsync(chunked, chunkedManifest.Output);
            Assert.Equal(expected, actual);
            Assert.Contains(expected, l => l.StartsWith("57 error", StringComparison.Ordinal));
            Assert.Equal(300, expected.Count(l => !l.StartsWith("Condition", StringComparison.Ordinal)) + 1); // 299 lines, line 120 is blank
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_gzipped_ndjson_file_is_read_like_a_plain_one()
    {
        var folder = Directory.CreateTempSubdirectory("landed-").FullName;
        try
        {
            await using (var gz = new GZipStream(File.Create(Path.Combine(folder, "Patient.ndjson.gz")), CompressionLevel.Fastest))
                await gz.WriteAsync(Encoding.UTF8.GetBytes("""{"resourceType":"Patient","id":"p1"}""" + "\n" + """{"resourceType":"Patient","id":"p2"}""" + "\n"));
            await File.WriteAllTextAsync(Path.Combine(folder, "Condition.ndjson"), """{"resourceType":"Condition","id":"c1"}""" + "\n");
            var source = new LandedFolderSource(folder, chunkBytes: 10); // tiny chunks: the gzip file still stays whole

            var manifest = (await source.PollAsync(await source.KickOffAsync(new BulkExportRequest(), default), default)).Manifest!;

            var patient = Assert.Single(manifest.Output, f => f.Type == "Patient");
            Assert.Equal(["1 {\"resourceType\":\"Patient\",\"id\":\"p1\"}", "2 {\"resourceType\":\"Patient\",\"id\":\"p2\"}"], await ReadAllAsync(source, [patient]));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_manifest_entry_outside_the_landed_folder_is_refused_even_as_an_absolute_file_url()
    {
        var folder = Directory.CreateTempSubdirectory("landed-").FullName;
        var outside = Path.Combine(Path.GetTempPath(), $"outside-{Guid.NewGuid():N}.ndjson");
        try
        {
            await File.WriteAllTextAsync(outside, """{"resourceType":"Patient","id":"x"}""" + "\n");
            var source = new LandedFolderSource(folder);

            foreach (var url in new[] { new Uri(outside).AbsoluteUri, "../" + Path.GetFileName(outside) })
                await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(source, [new BulkExportFile("Patient", url)]));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            File.Delete(outside);
        }
    }

    private static async Task<List<string>> ReadAllAsync(LandedFolderSource source, IReadOnlyList<Fhir.BulkData.BulkExportFile> files)
    {
        var result = new List<string>();
        foreach (var file in files)
        {
            await foreach (var line in source.ReadFileAsync(file, false, default))
            {
                result.Add(file.Type == "Condition" ? "Condition" : $"{line.LineNumber} {(line.Error is null ? Encoding.UTF8.GetString(line.Utf8.Span) : "error")}");
            }
        }
        return result;
    }
}
