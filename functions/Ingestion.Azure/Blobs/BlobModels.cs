namespace Ingestion.Azure.Blobs;

/// <summary>Properties of a blob (from HEAD, a write, or a listing). <see cref="ETag"/> is always quoted, as in HTTP headers.</summary>
public sealed record BlobProperties(string Name, long ContentLength, string ETag, DateTimeOffset LastModified);

/// <summary>Preconditions of a write or delete: If-None-Match: * (create only) and/or If-Match (this version only).</summary>
public readonly record struct BlobConditions(bool IfNoneMatchAll, string? IfMatch)
{
    public static BlobConditions None => default;
    public static BlobConditions IfNotExists => new(true, null);
    public static BlobConditions IfMatchETag(string etag) => new(false, etag);
}

/// <summary>An inclusive byte range (x-ms-range); <see cref="Length"/> null = to the end.</summary>
public readonly record struct BlobRange(long Offset, long? Length)
{
    public string ToHeaderValue() => Length is { } length ? $"bytes={Offset}-{Offset + length - 1}" : $"bytes={Offset}-";
}

/// <summary>A download: the response stream (not buffered) and the blob's properties. Dispose to release the connection.</summary>
public sealed class BlobDownload(Stream content, BlobProperties properties) : IAsyncDisposable, IDisposable
{
    public Stream Content { get; } = content;
    public BlobProperties Properties { get; } = properties;
    public ValueTask DisposeAsync() => Content.DisposeAsync();
    public void Dispose() => Content.Dispose();
}

/// <summary>One page of a listing and the marker of the next (null at the end).</summary>
public sealed record BlobPage(IReadOnlyList<BlobProperties> Items, string? NextMarker);
