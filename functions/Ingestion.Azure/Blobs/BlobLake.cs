using System.Runtime.CompilerServices;
using Ingestion.Storage;

namespace Ingestion.Azure.Blobs;

/// <summary>
/// The lake on Blob Storage (or ADLS Gen2 through its Blob endpoint): one container, optionally under a name
/// prefix. Uploads stream as staged blocks committed by Put Block List, so a reader sees a whole object or
/// nothing; conditions map to If-None-Match: * / If-Match.
/// </summary>
public sealed class BlobLake : ILake
{
    private readonly BlobStorageClient _client;
    private readonly string _container;
    private readonly string _prefix;

    /// <param name="prefix">Optional folder inside the container (e.g. "omop"); no leading or trailing '/'.</param>
    public BlobLake(BlobStorageClient client, string container, string? prefix = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        ArgumentException.ThrowIfNullOrEmpty(container);
        _container = container;
        _prefix = string.IsNullOrEmpty(prefix) ? string.Empty : prefix.Trim('/') + "/";
        Location = new Uri(client.Endpoint, Uri.EscapeDataString(container) + "/" + _prefix).AbsoluteUri;
    }

    /// <summary>The container URL (plus prefix); never carries a SAS token or key.</summary>
    public string Location { get; }

    /// <summary>Creates the container when absent (deployments usually do this; tests and local runs need it).</summary>
    public Task EnsureContainerAsync(CancellationToken cancellationToken = default) =>
        _client.CreateContainerIfNotExistsAsync(_container, cancellationToken);

    public Task<ILakeUpload> StartUploadAsync(string path, LakeWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        var stream = _client.OpenUploadStream(_container, BlobName(path), ConditionsOf(condition));
        return Task.FromResult<ILakeUpload>(new BlobLakeUpload(this, path, stream));
    }

    public async Task<LakeItem> WriteAsync(string path, ReadOnlyMemory<byte> content, LakeWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = await _client.UploadAsync(_container, BlobName(path), content, ConditionsOf(condition), cancellationToken).ConfigureAwait(false);
            return ItemOf(path, properties);
        }
        catch (BlobStorageException ex) when (ex.IsConditionFailure)
        {
            throw new LakeConditionFailedException(path, ex);
        }
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            var download = await _client.DownloadAsync(_container, BlobName(path), cancellationToken: cancellationToken).ConfigureAwait(false);
            return download.Content;
        }
        catch (BlobStorageException ex) when (ex.Status == 404)
        {
            throw new LakeItemNotFoundException(path, ex);
        }
    }

    public async Task<LakeItem?> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        var properties = await _client.GetPropertiesAsync(_container, BlobName(path), cancellationToken).ConfigureAwait(false);
        return properties is null ? null : ItemOf(path, properties);
    }

    public async IAsyncEnumerable<LakeItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Blob listings are in UTF-8 binary name order, which is ordinal path order for the lake's names.
        await foreach (var blob in _client.GetBlobsAsync(_container, _prefix + prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
            yield return ItemOf(blob.Name[_prefix.Length..], blob);
    }

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        _client.DeleteAsync(_container, BlobName(path), cancellationToken: cancellationToken);

    internal static LakeItem ItemOf(string path, BlobProperties properties) =>
        new(path, properties.ContentLength, properties.ETag, properties.LastModified);

    private string BlobName(string path)
    {
        LakePath.Validate(path);
        return _prefix + path;
    }

    private static BlobConditions ConditionsOf(LakeWriteCondition condition) => new(condition.IfNotExists, condition.IfMatchETag);
}
