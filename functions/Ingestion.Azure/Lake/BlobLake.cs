using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Ingestion.Storage;

namespace Ingestion.Azure.Lake;

/// <summary>
/// The lake on Blob Storage through <c>Azure.Storage.Blobs</c>: one container, optionally under a name prefix. An ADLS
/// Gen2 account (hierarchical namespace) is used through its Blob endpoint: same calls, and its directory entries are
/// left out of listings. Parts stream as staged blocks committed by Put Block List (<see cref="BlobLakeUpload"/>), so a
/// reader sees a whole object or nothing; conditions map to If-None-Match: * / If-Match.
/// </summary>
public sealed class BlobLake : ILake
{
    private readonly BlobContainerClient _container;
    private readonly BlobLakeOptions _options;
    private readonly string _prefix;

    public BlobLake(BlobServiceClient service, BlobLakeOptions options)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Container);
        _options = options;
        _ = options.TransferOptions(); // fail at start-up, not on the first part
        _container = service.GetBlobContainerClient(options.Container);
        _prefix = string.IsNullOrEmpty(options.Prefix) ? string.Empty : options.Prefix.Trim('/') + "/";
        // Query dropped: a SAS must never end up in manifests or messages.
        Location = new UriBuilder(_container.Uri) { Query = string.Empty }.Uri.AbsoluteUri.TrimEnd('/') + "/" + _prefix;
    }

    /// <summary>The container URL (plus prefix); never carries a SAS token or key.</summary>
    public string Location { get; }

    /// <summary>Creates the container when absent (deployments do this in Azure; tests and local runs need it).</summary>
    public Task EnsureContainerAsync(CancellationToken cancellationToken = default) =>
        _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

    public Task<ILakeUpload> StartUploadAsync(string path, LakeWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        var blob = Blob(path);
        var options = new BlobUploadOptions { Conditions = ConditionsOf(condition), TransferOptions = _options.TransferOptions() };
        return Task.FromResult<ILakeUpload>(new BlobLakeUpload(blob, path, options));
    }

    public async Task<LakeItem> WriteAsync(string path, ReadOnlyMemory<byte> content, LakeWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName(path));
        try
        {
            var info = (await blob.UploadAsync(new BinaryData(content), new BlobUploadOptions { Conditions = ConditionsOf(condition) }, cancellationToken).ConfigureAwait(false)).Value;
            return new LakeItem(path, content.Length, info.ETag.ToString(), info.LastModified);
        }
        catch (RequestFailedException ex) when (BlobLakeErrors.ForWrite(path, ex) is { } error)
        {
            throw error;
        }
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var blob = Blob(path);
        try
        {
            // The SDK's retriable stream resumes a broken download pinned to the ETag it started with.
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return download.Value.Content;
        }
        catch (RequestFailedException ex) when (BlobLakeErrors.IsNotFound(ex))
        {
            throw new LakeItemNotFoundException(path, ex);
        }
    }

    public async Task<LakeItem?> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        var blob = Blob(path);
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return new LakeItem(path, properties.ContentLength, properties.ETag.ToString(), properties.LastModified);
        }
        catch (RequestFailedException ex) when (BlobLakeErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    /// <summary>
    /// One prefix-scoped listing (e.g. a table's run folder "omop/person/run=abc/"), paged by the SDK: never the whole lake.
    /// Blob listings are in UTF-8 binary name order, which is ordinal path order for the lake's names.
    /// </summary>
    public async IAsyncEnumerable<LakeItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var listing = _container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = _prefix + prefix }, cancellationToken);
        await foreach (var blob in listing.ConfigureAwait(false))
        {
            if (HierarchicalNamespace.IsDirectory(blob.Metadata)) continue;
            yield return new LakeItem(blob.Name[_prefix.Length..], blob.Properties.ContentLength ?? 0, blob.Properties.ETag?.ToString() ?? string.Empty,
                blob.Properties.LastModified ?? DateTimeOffset.MinValue);
        }
    }

    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        (await Blob(path).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;

    private BlockBlobClient Blob(string path) => _container.GetBlockBlobClient(BlobName(path));

    private string BlobName(string path)
    {
        LakePath.Validate(path);
        return _prefix + path;
    }

    private static BlobRequestConditions? ConditionsOf(LakeWriteCondition condition) => condition switch
    {
        { IfNotExists: true } => new BlobRequestConditions { IfNoneMatch = ETag.All },
        { IfMatchETag: { } etag } => new BlobRequestConditions { IfMatch = new ETag(etag) },
        _ => null,
    };
}
