using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Ingestion.Azure.Storage;

namespace Ingestion.Azure.Blobs;

/// <summary>
/// A Blob Storage REST client on Azure.Core's <see cref="HttpPipeline"/> (the Azure.Storage.Blobs package cannot be
/// restored here). Works against Blob Storage, ADLS Gen2 accounts through their Blob endpoint, and Azurite
/// (path-style endpoint <c>http://127.0.0.1:10000/devstoreaccount1/</c>). Failures throw <see cref="BlobStorageException"/>.
/// </summary>
public class BlobStorageClient
{
    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;

    /// <param name="serviceEndpoint">The account's Blob endpoint, e.g. https://account.blob.core.windows.net/.</param>
    public BlobStorageClient(Uri serviceEndpoint, StorageCredential credential, BlobStorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(serviceEndpoint);
        ArgumentNullException.ThrowIfNull(credential);
        Options = options ?? new BlobStorageClientOptions();
        if (Options.BlockSize <= 0 || Options.MaxConcurrency <= 0) throw new ArgumentException("BlockSize and MaxConcurrency must be positive.", nameof(options));
        _endpoint = StoragePipeline.DirectoryUri(serviceEndpoint);
        _pipeline = StoragePipeline.Build(Options, credential);
    }

    public static BlobStorageClient FromConnectionString(string connectionString, BlobStorageClientOptions? options = null)
    {
        var parsed = StorageConnectionString.Parse(connectionString);
        return new BlobStorageClient(parsed.BlobEndpoint, parsed.Credential, options);
    }

    public BlobStorageClientOptions Options { get; }

    public Uri Endpoint => _endpoint;

    /// <summary>Creates a container; returns false when it existed already.</summary>
    public virtual async Task<bool> CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put, container, null);
        message.Request.Uri.AppendQuery("restype", "container");
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 409 && StorageErrors.ErrorCode(response) == BlobStorageException.ContainerAlreadyExists) return false;
        EnsureSuccess("Create container", response);
        return true;
    }

    /// <summary>Deletes a container; returns false when it was absent.</summary>
    public virtual async Task<bool> DeleteContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, container, null);
        message.Request.Uri.AppendQuery("restype", "container");
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status == 404) return false;
        EnsureSuccess("Delete container", message.Response);
        return true;
    }

    /// <summary>Put Blob: writes a whole block blob in one request (single-shot).</summary>
    public virtual Task<BlobProperties> UploadAsync(string container, string blob, ReadOnlyMemory<byte> content, BlobConditions conditions = default, CancellationToken cancellationToken = default) =>
        PutBlobAsync(container, blob, RequestContent.Create(content), content.Length, conditions, cancellationToken);

    /// <summary>Put Blob from a stream (single-shot; the stream should be seekable so a retry can resend it).</summary>
    public virtual Task<BlobProperties> UploadAsync(string container, string blob, Stream content, BlobConditions conditions = default, CancellationToken cancellationToken = default) =>
        PutBlobAsync(container, blob, RequestContent.Create(content), content.CanSeek ? content.Length : -1, conditions, cancellationToken);

    private async Task<BlobProperties> PutBlobAsync(string container, string blob, RequestContent content, long length, BlobConditions conditions, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Put, container, blob);
        message.Request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        AddConditions(message.Request, conditions);
        message.Request.Content = content;
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Put blob", message.Response);
        return PropertiesOf(blob, length, message.Response);
    }

    /// <summary>
    /// Starts a streaming upload: bytes written are cut into blocks staged in parallel (Put Block); nothing is
    /// visible until <see cref="BlockBlobUploadStream.CommitAsync"/> (Put Block List, with the conditions).
    /// </summary>
    public virtual BlockBlobUploadStream OpenUploadStream(string container, string blob, BlobConditions conditions = default) =>
        new(this, container, blob, conditions, Options.BlockSize, Options.MaxConcurrency);

    /// <summary>Put Block: stages one uncommitted block.</summary>
    public virtual async Task StageBlockAsync(string container, string blob, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put, container, blob);
        message.Request.Uri.AppendQuery("comp", "block");
        message.Request.Uri.AppendQuery("blockid", blockId);
        message.Request.Content = RequestContent.Create(content);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Put block", message.Response);
    }

    /// <summary>Put Block List: commits staged blocks, in order, as the blob's content.</summary>
    public virtual async Task<BlobProperties> CommitBlockListAsync(string container, string blob, IReadOnlyList<string> blockIds, long contentLength, BlobConditions conditions = default, CancellationToken cancellationToken = default)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in blockIds) xml.Append("<Latest>").Append(id).Append("</Latest>");
        xml.Append("</BlockList>");
        using var message = CreateMessage(RequestMethod.Put, container, blob);
        message.Request.Uri.AppendQuery("comp", "blocklist");
        message.Request.Headers.SetValue("Content-Type", "application/xml");
        AddConditions(message.Request, conditions);
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(xml.ToString()));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Put block list", message.Response);
        return PropertiesOf(blob, contentLength, message.Response);
    }

    /// <summary>Get Blob, optionally a byte range; the content streams from the connection (not buffered).</summary>
    public virtual async Task<BlobDownload> DownloadAsync(string container, string blob, BlobRange? range = null, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, container, blob);
        if (range is { } r) message.Request.Headers.SetValue("x-ms-range", r.ToHeaderValue());
        message.BufferResponse = false;
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Get blob", message.Response);
        var length = ContentLength(message.Response);
        if (message.Response.Headers.TryGetValue("Content-Range", out var contentRange) && contentRange.LastIndexOf('/') is var slash and > 0
            && long.TryParse(contentRange[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var total))
            length = total;
        var properties = PropertiesOf(blob, length, message.Response);
        var content = message.ExtractResponseContent() ?? Stream.Null;
        return new BlobDownload(content, properties);
    }

    /// <summary>Get Blob Properties (HEAD); null when the blob does not exist.</summary>
    public virtual async Task<BlobProperties?> GetPropertiesAsync(string container, string blob, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Head, container, blob);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status == 404) return null;
        EnsureSuccess("Get blob properties", message.Response);
        return PropertiesOf(blob, ContentLength(message.Response), message.Response);
    }

    /// <summary>Delete Blob; false when it was absent. With If-Match, deletes only that version.</summary>
    public virtual async Task<bool> DeleteAsync(string container, string blob, BlobConditions conditions = default, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, container, blob);
        AddConditions(message.Request, conditions);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status == 404 && StorageErrors.ErrorCode(message.Response) == BlobStorageException.BlobNotFound) return false;
        EnsureSuccess("Delete blob", message.Response);
        return true;
    }

    /// <summary>Every blob whose name starts with <paramref name="prefix"/>, in name order, fetched page by page.</summary>
    public virtual async IAsyncEnumerable<BlobProperties> GetBlobsAsync(string container, string? prefix = null, int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? marker = null;
        do
        {
            var page = await GetBlobsPageAsync(container, prefix, marker, pageSize ?? Options.ListPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items) yield return item;
            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    /// <summary>List Blobs: one page (at most <paramref name="maxResults"/>) starting at <paramref name="marker"/>.</summary>
    public virtual async Task<BlobPage> GetBlobsPageAsync(string container, string? prefix, string? marker, int maxResults, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, container, null);
        message.Request.Uri.AppendQuery("restype", "container");
        message.Request.Uri.AppendQuery("comp", "list");
        if (!string.IsNullOrEmpty(prefix)) message.Request.Uri.AppendQuery("prefix", prefix);
        if (!string.IsNullOrEmpty(marker)) message.Request.Uri.AppendQuery("marker", marker);
        message.Request.Uri.AppendQuery("maxresults", maxResults.ToString(CultureInfo.InvariantCulture));
        message.BufferResponse = false;
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("List blobs", message.Response);
        await using var stream = message.ExtractResponseContent() ?? Stream.Null;
        return await BlobListingReader.ReadPageAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    private HttpMessage CreateMessage(RequestMethod method, string container, string? blob)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        var path = Uri.EscapeDataString(container);
        if (blob is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(blob);
            // Escape the name but keep '/' as the virtual directory separator (a literal "%2F" in a name is escaped to "%252F").
            path += "/" + Uri.EscapeDataString(blob).Replace("%2F", "/", StringComparison.Ordinal);
        }
        return StoragePipeline.CreateMessage(_pipeline, _endpoint, method, path);
    }

    private static void AddConditions(Request request, BlobConditions conditions)
    {
        if (conditions.IfNoneMatchAll) request.Headers.SetValue("If-None-Match", "*");
        if (conditions.IfMatch is { } etag) request.Headers.SetValue("If-Match", BlobETag.Quote(etag));
    }

    private static void EnsureSuccess(string operation, Response response)
    {
        if (!response.IsError) return;
        throw new BlobStorageException(response.Status, StorageErrors.Describe(operation, response), StorageErrors.ErrorCode(response));
    }

    private static long ContentLength(Response response) =>
        response.Headers.TryGetValue("Content-Length", out var value) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : -1;

    private static BlobProperties PropertiesOf(string blob, long length, Response response)
    {
        response.Headers.TryGetValue("ETag", out var etag);
        var lastModified = response.Headers.TryGetValue("Last-Modified", out var modified)
            ? DateTimeOffset.Parse(modified, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : DateTimeOffset.UtcNow;
        return new BlobProperties(blob, length, BlobETag.Quote(etag ?? string.Empty), lastModified);
    }
}
