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
