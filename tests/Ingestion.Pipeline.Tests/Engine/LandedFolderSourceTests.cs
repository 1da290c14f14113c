using System.IO.Compression;
using System.Text;
using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline.Sources;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Tests.Engine;

public sealed class LandedFolderSourceTests : IDisposable
{
    // xunit makes one instance per test: each test gets its own landed folder.
    private readonly string _folder = Directory.CreateTempSubdirectory("landed-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_big_file_is_split_into_line_aligned_chunks_that_together_yield_every_line_once_with_its_file_line_number()
    {
        var lines = Enumerable.Range(1, 300).Select(i => i == 57 ? "{broken" : i == 120 ? "" : $$"""{"resourceType":"Patient","id":"p{{i}}"}""").ToList();
        await File.WriteAllTextAsync(Path.Combine(_folder, "Patient.ndjson"), string.Join("\n", lines) + "\n");
        await File.WriteAllTextAsync(Path.Combine(_folder, "Condition.ndjson"), """{"resourceType":"Condition","id":"c1"}""" + "\n");
        var whole = new LandedFolderSource(_folder);
        var chunked = new LandedFolderSource(_folder, chunkBytes: 1000);

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

    [Fact]
    public async Task Every_landed_file_and_chunk_carries_its_size_so_the_run_can_start_the_largest_first()
    {
        var patients = string.Concat(Enumerable.Range(1, 100).Select(i => $$"""{"resourceType":"Patient","id":"p{{i}}"}""" + "\n"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "Patient.ndjson"), patients);
        await File.WriteAllTextAsync(Path.Combine(_folder, "Condition.ndjson"), """{"resourceType":"Condition","id":"c1"}""" + "\n");
        var whole = new LandedFolderSource(_folder);
        var chunked = new LandedFolderSource(_folder, chunkBytes: 1000);

        var wholeManifest = (await whole.PollAsync(await whole.KickOffAsync(new BulkExportRequest(), default), default)).Manifest!;
        var chunkedManifest = (await chunked.PollAsync(await chunked.KickOffAsync(new BulkExportRequest(), default), default)).Manifest!;

        Assert.Equal(new FileInfo(Path.Combine(_folder, "Condition.ndjson")).Length, wholeManifest.Output.Single(f => f.Type == "Condition").Bytes);
        Assert.Equal(Encoding.UTF8.GetByteCount(patients), wholeManifest.Output.Single(f => f.Type == "Patient").Bytes);
        var chunks = chunkedManifest.Output.Where(f => f.Type == "Patient").ToList();
        Assert.All(chunks, c => Assert.Equal(LandedFileChunk.Parse(c.Url)!.Length, c.Bytes));
        Assert.Equal(Encoding.UTF8.GetByteCount(patients), chunks.Sum(c => c.Bytes));
    }

    [Fact]
    public async Task A_gzipped_ndjson_file_is_read_like_a_plain_one()
    {
        await using (var gz = new GZipStream(File.Create(Path.Combine(_folder, "Patient.ndjson.gz")), CompressionLevel.Fastest))
            await gz.WriteAsync(Encoding.UTF8.GetBytes("""{"resourceType":"Patient","id":"p1"}""" + "\n" + """{"resourceType":"Patient","id":"p2"}""" + "\n"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "Condition.ndjson"), """{"resourceType":"Condition","id":"c1"}""" + "\n");
        var source = new LandedFolderSource(_folder, chunkBytes: 10); // tiny chunks: the gzip file still stays whole

        var manifest = (await source.PollAsync(await source.KickOffAsync(new BulkExportRequest(), default), default)).Manifest!;

        var patient = Assert.Single(manifest.Output, f => f.Type == "Patient");
        Assert.Equal(["1 {\"resourceType\":\"Patient\",\"id\":\"p1\"}", "2 {\"resourceType\":\"Patient\",\"id\":\"p2\"}"], await ReadAllAsync(source, [patient]));
    }

    [Fact]
    public async Task A_manifest_entry_outside_the_landed_folder_is_refused_even_as_an_absolute_file_url()
    {
        var outside = Path.Combine(Path.GetTempPath(), $"outside-{Guid.NewGuid():N}.ndjson");
        try
        {
            await File.WriteAllTextAsync(outside, """{"resourceType":"Patient","id":"x"}""" + "\n");
            var source = new LandedFolderSource(_folder);

            foreach (var url in new[] { new Uri(outside).AbsoluteUri, "../" + Path.GetFileName(outside) })
                await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(source, [new BulkExportFile("Patient", url)]));
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task Without_a_manifest_every_file_that_is_not_read_is_listed_as_skipped_with_the_reason()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "Patient.ndjson"), """{"resourceType":"Patient","id":"p1"}""" + "\n");
        await File.WriteAllTextAsync(Path.Combine(_folder, "notes.txt"), "operator notes");
        await File.WriteAllTextAsync(Path.Combine(_folder, "Observation.json"), "{}");
        Directory.CreateDirectory(Path.Combine(_folder, "older"));
        var source = new LandedFolderSource(_folder);

        var poll = await source.PollAsync(await source.KickOffAsync(new BulkExportRequest(), default), default);

        Assert.Equal(["Patient.ndjson"], poll.Manifest!.Output.Select(f => f.Url));
        Assert.Equal(
            ["Observation.json: not NDJSON (only *.ndjson and *.ndjson.gz files are read)", "notes.txt: not NDJSON (only *.ndjson and *.ndjson.gz files are read)", "older/: a subfolder: only the landed folder's own files are read"],
            poll.Skipped.Select(f => $"{f.Name}: {f.Reason}"));
    }

    [Fact]
    public async Task With_a_manifest_the_files_it_does_not_list_are_skipped_with_the_reason()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "Patient.ndjson"), """{"resourceType":"Patient","id":"p1"}""" + "\n");
        await File.WriteAllTextAsync(Path.Combine(_folder, "Condition.ndjson"), """{"resourceType":"Condition","id":"c1"}""" + "\n");
        await File.WriteAllTextAsync(Path.Combine(_folder, "manifest.json"),
            """{"transactionTime":"2026-01-01T00:00:00Z","request":"x","requiresAccessToken":false,"output":[{"type":"Patient","url":"Patient.ndjson"}],"error":[]}""");
        var source = new LandedFolderSource(_folder);

        var poll = await source.PollAsync(await source.KickOffAsync(new BulkExportRequest(), default), default);

        Assert.Single(poll.Manifest!.Output);
        var skipped = Assert.Single(poll.Skipped);
        Assert.Equal(("Condition.ndjson", "not listed in manifest.json"), (skipped.Name, skipped.Reason));
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
