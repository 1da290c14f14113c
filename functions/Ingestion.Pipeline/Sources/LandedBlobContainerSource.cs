using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Ndjson;

namespace Ingestion.Pipeline.Sources;

/// <summary>
/// An export that has already landed in a blob container (optionally under a prefix, "exports/2026-01/"): the same
/// rules as <see cref="LandedFolderSource"/>. Its manifest.json (file URLs relative to the prefix, or absolute blob URLs
/// inside it) when present, otherwise every *.ndjson and *.ndjson.gz blob directly under the prefix; every other blob
/// or virtual folder there is listed as skipped with the reason. Blobs are streamed (gzip decompressed on the fly),
/// never downloaded whole. The container client carries its own credential (never the run's input or history).
/// </summary>
public sealed class LandedBlobContainerSource : IExportSource
{
    private const string ManifestName = "manifest.json";
    private readonly BlobContainerClient _container;
    private readonly string _prefix;

    /// <param name="container">The container, authenticated (connection string, managed identity).</param>
    /// <param name="prefix">Blob name prefix of the export ("" = the container's root); a trailing "/" is added.</param>
    public LandedBlobContainerSource(BlobContainerClient container, string? prefix)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        var p = (prefix ?? "").Trim('/');
        _prefix = p.Length == 0 ? "" : p + "/";
    }

    public async Task<BulkExportJob> KickOffAsync(BulkExportRequest request, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(cancellationToken).ConfigureAwait(false))
            throw new NonRetryableActivityException($"Landed blob container '{_container.Name}' does not exist.");
        return new BulkExportJob($"container:{_container.Name}/{_prefix}", DateTimeOffset.UtcNow);
    }

    public async Task<BulkExportPollResult> PollAsync(BulkExportJob job, CancellationToken cancellationToken)
    {
        var blobs = new List<BlobItem>();
        var folders = new List<string>();
        await foreach (var item in _container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", _prefix, cancellationToken).ConfigureAwait(false))
        {
            if (item.IsPrefix) folders.Add(item.Prefix[_prefix.Length..]);
            else blobs.Add(item.Blob);
        }
        var manifestBlob = blobs.FirstOrDefault(b => b.Name == _prefix + ManifestName);
        BulkExportManifest manifest;
        if (manifestBlob is not null)
        {
            var download = await _container.GetBlobClient(manifestBlob.Name).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (download)
            {
                manifest = await JsonSerializer.DeserializeAsync<BulkExportManifest>(download, cancellationToken: cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidDataException($"'{manifestBlob.Name}' is not a Bulk Data manifest.");
            }
        }
        else
        {
            var files = blobs.Where(b => IsNdjson(b.Name)).OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
            manifest = new BulkExportManifest
            {
                TransactionTime = files.Count == 0 ? DateTimeOffset.UtcNow : files.Max(b => b.Properties.LastModified ?? DateTimeOffset.UtcNow),
                Request = $"container:{_container.Name}/{_prefix}",
                Output = files.Select(b => new BulkExportFile(LandedFolderSource.TypeFromFileName(b.Name), b.Name[_prefix.Length..])).ToList(),
            };
        }

        // Sizes from the listing, so the run schedules large files first.
        var sizes = blobs.ToDictionary(b => b.Name, b => b.Properties.ContentLength, StringComparer.Ordinal);
        BulkExportFile WithSize(BulkExportFile file) => file.Bytes is null && TryResolve(file.Url, out var blob) && sizes.GetValueOrDefault(blob) is { } length ? file with { Bytes = length } : file;
        manifest = manifest with { Output = manifest.Output.Select(WithSize).ToList(), Error = manifest.Error.Select(WithSize).ToList(), Deleted = manifest.Deleted.Select(WithSize).ToList() };

        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in manifest.Output.Concat(manifest.Error).Concat(manifest.Deleted))
            if (TryResolve(file.Url, out var name)) read.Add(name);
        var skipped = new List<SkippedExportFile>();
        foreach (var folder in folders.Order(StringComparer.Ordinal))
            skipped.Add(new SkippedExportFile(folder, "a virtual folder: only the blobs directly under the landed prefix are read"));
        foreach (var blob in blobs.OrderBy(b => b.Name, StringComparer.Ordinal))
        {
            if (blob == manifestBlob || read.Contains(blob.Name)) continue;
            skipped.Add(new SkippedExportFile(blob.Name[_prefix.Length..], manifestBlob is not null
                ? "not listed in manifest.json"
                : "not NDJSON (only *.ndjson and *.ndjson.gz blobs are read)"));
        }
        return new BulkExportPollResult { Manifest = manifest, Job = job, Skipped = skipped };
    }

    public async IAsyncEnumerable<NdjsonLine> ReadFileAsync(BulkExportFile file, bool requiresAccessToken, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!TryResolve(file.Url, out var name))
            throw new NonRetryableActivityException($"Manifest file '{file.Url}' is outside the landed container prefix.");
        Stream stream;
        try
        {
            stream = await _container.GetBlobClient(name).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new NonRetryableActivityException($"Manifest file '{file.Url}' is not in the landed container.", e);
        }
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) stream = new GZipStream(stream, CompressionMode.Decompress);
        await using (stream)
        {
            // Same reading as a landed folder: the JSON itself is checked once, by the file activity's strict pass.
            var options = LandedFolderSource.ReaderOptions(file.Type);
            await foreach (var line in NdjsonReader.ReadAsync(stream, options, cancellationToken).ConfigureAwait(false))
                yield return line;
        }
    }

    public Task DeleteAsync(BulkExportJob job, CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<bool> ExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status is 401 or 403)
        {
            throw new NonRetryableActivityException($"Landed blob container '{_container.Name}': access refused ({e.ErrorCode ?? e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)}).", e);
        }
    }

    /// <summary>
    /// The blob name of a manifest entry: relative to the prefix, or an absolute URL of this container; null when it
    /// points outside the prefix (another container or account, "..", a rooted path) — a manifest must not read
    /// arbitrary blobs.
    /// </summary>
    private bool TryResolve(string url, out string name)
    {
        name = "";
        string candidate;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            if (uri.Scheme is not ("http" or "https")) return false;
            var containerUri = _container.Uri.AbsoluteUri.TrimEnd('/') + "/";
            var absolute = uri.GetLeftPart(UriPartial.Path);
            if (!absolute.StartsWith(containerUri, StringComparison.Ordinal)) return false;
            candidate = Uri.UnescapeDataString(absolute[containerUri.Length..]);
        }
        else
        {
            if (url.StartsWith('/')) return false;
            candidate = _prefix + url;
        }
        if (candidate.Split('/').Any(segment => segment is ".." or ".")) return false;
        if (!candidate.StartsWith(_prefix, StringComparison.Ordinal) || candidate.Length == _prefix.Length) return false;
        name = candidate;
        return true;
    }

    private static bool IsNdjson(string name) =>
        name.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".ndjson.gz", StringComparison.OrdinalIgnoreCase);
}
