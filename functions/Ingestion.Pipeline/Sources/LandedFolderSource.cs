using System.Text.Json;
using System.Runtime.CompilerServices;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Ndjson;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Sources;

/// <summary>
/// An export that has already landed in a folder: uses its manifest.json (Bulk Data completion manifest, file URLs
/// relative to the folder or absolute file paths) when present, otherwise every *.ndjson file, the resource type
/// taken from the file name ("Patient.ndjson", "Patient-2.ndjson", "Patient.000.ndjson").
/// "Kick-off" and "poll" complete at once; transactionTime is the manifest's, else the newest file's time.
/// </summary>
public sealed class LandedFolderSource(string folderPath) : IExportSource
{
    private const string JobPrefix = "folder:";

    public Task<BulkExportJob> KickOffAsync(RunInput input, DateTimeOffset? since, CancellationToken cancellationToken)
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
            var files = Directory.EnumerateFiles(folderPath, "*.ndjson").Order(StringComparer.Ordinal).ToList();
            var newest = files.Count == 0 ? DateTimeOffset.UtcNow : files.Max(f => new DateTimeOffset(File.GetLastWriteTimeUtc(f), TimeSpan.Zero));
            manifest = new BulkExportManifest
            {
                TransactionTime = newest,
                Request = "folder:" + Path.GetFileName(Path.GetFullPath(folderPath)),
                Output = files.Select(f => new BulkExportFile(TypeFromFileName(f), Path.GetFileName(f))).ToList(),
            };
        }
        return new BulkExportPollResult { Manifest = manifest, Job = job };
    }

    public async IAsyncEnumerable<NdjsonLine> ReadFileAsync(BulkExportFile file, bool requiresAccessToken, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = ResolvePath(file.Url);
        if (!File.Exists(path)) throw new NonRetryableActivityException($"Manifest file '{file.Url}' is not in the landed folder.");
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var options = new NdjsonReaderOptions { ExpectedResourceType = file.Type };
        await foreach (var line in NdjsonReader.ReadAsync(stream, options, cancellationToken).ConfigureAwait(false)) yield return line;
    }

    public Task DeleteAsync(BulkExportJob job, CancellationToken cancellationToken) => Task.CompletedTask;

    private string ResolvePath(string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsFile) return uri.LocalPath;
        var full = Path.GetFullPath(Path.Combine(folderPath, url));
        // Refuse paths outside the folder: a manifest must not read arbitrary files.
        var root = Path.GetFullPath(folderPath).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal)) throw new InvalidDataException($"Manifest file '{url}' is outside the landed folder.");
        return full;
    }

    internal static string TypeFromFileName(string path)
    {
        var name = Path.GetFileName(path);
        var end = name.IndexOfAny(['.', '-', '_']);
        return end > 0 ? name[..end] : name;
    }
}
