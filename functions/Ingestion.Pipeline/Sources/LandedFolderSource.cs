using System.IO.Compression;
using System.Text.Json;
using System.Runtime.CompilerServices;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Ndjson;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Sources;

/// <summary>
/// An export that has already landed in a folder: uses its manifest.json (Bulk Data completion manifest, file URLs
/// relative to the folder or absolute file paths, always inside it) when present, otherwise every *.ndjson and
/// *.ndjson.gz file, the resource type taken from the file name ("Patient.ndjson", "Patient-2.ndjson.gz",
/// "Patient.000.ndjson"). Gzip files are read whole (they cannot be split at line ends without decompressing).
/// Every other entry of the folder is listed as skipped with the reason (the run report shows it).
/// "Kick-off" and "poll" complete at once; transactionTime is the manifest's, else the newest file's time.
/// Output files larger than <paramref name="chunkBytes"/> are split into line-aligned chunks (one activity each,
/// in parallel); 0 keeps whole files.
/// </summary>
public sealed class LandedFolderSource(string folderPath, long chunkBytes = 0) : IExportSource
{
    private const string JobPrefix = "folder:";

    public Task<BulkExportJob> KickOffAsync(BulkExportRequest request, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folderPath)) throw new DirectoryNotFoundException($"Landed export folder '{folderPath}' does not exist.");
        return Task.FromResult(new BulkExportJob(JobPrefix + Path.GetFullPath(folderPath), DateTimeOffset.UtcNow));
    }

    public async Task<BulkExportPollResult> PollAsync(BulkExportJob job, CancellationToken cancellationToken)
    {
        var manifestPath = Path.Combine(folderPath, "manifest.json");
        BulkExportManifest manifest;
        if (File.Exists(manifestPath))
        {
            await using var stream = File.OpenRead(manifestPath);
            manifest = await JsonSerializer.DeserializeAsync<BulkExportManifest>(stream, cancellationToken: cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"'{manifestPath}' is not a Bulk Data manifest.");
        }
        else
        {
            var files = Directory.EnumerateFiles(folderPath, "*.ndjson").Concat(Directory.EnumerateFiles(folderPath, "*.ndjson.gz"))
                .Order(StringComparer.Ordinal).ToList();
            var newest = files.Count == 0 ? DateTimeOffset.UtcNow : files.Max(f => new DateTimeOffset(File.GetLastWriteTimeUtc(f), TimeSpan.Zero));
            manifest = new BulkExportManifest
            {
                TransactionTime = newest,
                Request = "folder:" + Path.GetFileName(Path.GetFullPath(folderPath)),
                Output = files.Select(f => new BulkExportFile(TypeFromFileName(f), Path.GetFileName(f))).ToList(),
            };
        }
        var skipped = SkippedEntries(manifest, hasManifest: File.Exists(manifestPath));
        if (chunkBytes > 0) manifest = manifest with { Output = await SplitAsync(manifest.Output, cancellationToken).ConfigureAwait(false) };
        manifest = manifest with { Output = manifest.Output.Select(WithSize).ToList(), Error = manifest.Error.Select(WithSize).ToList(), Deleted = manifest.Deleted.Select(WithSize).ToList() };
        return new BulkExportPollResult { Manifest = manifest, Job = job, Skipped = skipped };
    }

    /// <summary>Every entry of the folder that the manifest does not read, with the reason, so nothing vanishes silently.</summary>
    private List<SkippedExportFile> SkippedEntries(BulkExportManifest manifest, bool hasManifest)
    {
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in manifest.Output.Concat(manifest.Error).Concat(manifest.Deleted))
        {
            try
            {
                read.Add(ResolvePath(file.Url));
            }
            catch (InvalidDataException)
            {
                // An entry outside the folder fails its file activity with the reason; it names no file of the folder.
            }
        }
        var skipped = new List<SkippedExportFile>();
        foreach (var entry in new DirectoryInfo(folderPath).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry is DirectoryInfo)
                skipped.Add(new SkippedExportFile(entry.Name + "/", "a subfolder: only the landed folder's own files are read"));
            else if ((hasManifest && entry.Name == "manifest.json") || read.Contains(entry.FullName))
                continue;
            else if (hasManifest)
                skipped.Add(new SkippedExportFile(entry.Name, "not listed in manifest.json"));
            else
                skipped.Add(new SkippedExportFile(entry.Name, "not NDJSON (only *.ndjson and *.ndjson.gz files are read)"));
        }
        return skipped;
    }

    /// <summary>The entry with its size (a chunk's length; a missing or outside file stays without one and fails when read).</summary>
    private BulkExportFile WithSize(BulkExportFile file)
    {
        if (file.Bytes is not null) return file;
        if (LandedFileChunk.Parse(file.Url) is { } chunk) return file with { Bytes = chunk.Length };
        try
        {
            var info = new FileInfo(ResolvePath(file.Url));
            return info.Exists ? file with { Bytes = info.Length } : file;
        }
        catch (InvalidDataException)
        {
            return file;
        }
    }

    private async Task<IReadOnlyList<BulkExportFile>> SplitAsync(IReadOnlyList<BulkExportFile> files, CancellationToken cancellationToken)
    {
        var split = new List<BulkExportFile>();
        foreach (var file in files)
        {
            var path = ResolvePath(file.Url);
            if (!File.Exists(path) || IsGzip(path) || new FileInfo(path).Length <= chunkBytes)
            {
                split.Add(file);
                continue;
            }
            foreach (var chunk in await LandedFileChunk.SplitAsync(file.Url, path, chunkBytes, cancellationToken).ConfigureAwait(false))
                split.Add(new BulkExportFile(file.Type, chunk.ToUrl()));
        }
        return split;
    }

    public async IAsyncEnumerable<NdjsonLine> ReadFileAsync(BulkExportFile file, bool requiresAccessToken, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunk = LandedFileChunk.Parse(file.Url);
        var path = ResolvePath(chunk?.File ?? file.Url);
        if (!File.Exists(path)) throw new NonRetryableActivityException($"Manifest file '{file.Url}' is not in the landed folder.");
        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        if (chunk is not null)
        {
            stream.Seek(chunk.Offset, SeekOrigin.Begin);
            stream = new FileSegmentStream(stream, chunk.Length);
        }
        else if (IsGzip(path))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }
        await using (stream)
        {
            var options = ReaderOptions(file.Type);
            var lineOffset = (chunk?.FirstLine ?? 1) - 1;
            await foreach (var line in NdjsonReader.ReadAsync(stream, options, cancellationToken).ConfigureAwait(false))
                yield return lineOffset == 0 ? line : line with { LineNumber = line.LineNumber + lineOffset };
        }
    }

    public Task DeleteAsync(BulkExportJob job, CancellationToken cancellationToken) => Task.CompletedTask;

    private string ResolvePath(string url)
    {
        var full = Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsFile
            ? Path.GetFullPath(uri.LocalPath)
            : Path.GetFullPath(Path.Combine(folderPath, url));
        // Refuse paths outside the folder: a manifest must not read arbitrary files.
        var root = Path.GetFullPath(folderPath).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal)) throw new InvalidDataException($"Manifest file '{url}' is outside the landed folder.");
        return full;
    }

    /// <summary>How landed files (folders and blob containers) are read: the reader checks UTF-8, the object and its
    /// resourceType; the rest of the line is read once, by the file activity's strict FHIR JSON pass (malformed JSON
    /// there keeps the reason "ndjson:invalid-json").</summary>
    internal static NdjsonReaderOptions ReaderOptions(string? resourceType) => new() { ExpectedResourceType = resourceType, ValidateJson = false };

    private static bool IsGzip(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    internal static string TypeFromFileName(string path)
    {
        var name = Path.GetFileName(path);
        var end = name.IndexOfAny(['.', '-', '_']);
        return end > 0 ? name[..end] : name;
    }
}
