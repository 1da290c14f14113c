namespace Ingestion.Storage;

/// <summary>
/// The analytics lake (a local folder embedded, Azure Blob / ADLS Gen2 in Azure). Paths are '/'-separated
/// and relative to the lake root (e.g. "omop/person/run=abc/part-0001-0.parquet"). Every write is atomic:
/// readers see a whole object or nothing (temp file + rename locally; staged blocks + commit in Azure).
/// The quarantine is a second, separately configured lake instance because it holds PHI.
/// </summary>
public interface ILake
{
    /// <summary>Where this lake lives, for messages and manifests (never includes credentials).</summary>
    string Location { get; }

    /// <summary>Starts a streaming write. Nothing is visible until <see cref="ILakeUpload.CommitAsync"/>;
    /// disposing an upload without committing discards it.</summary>
    Task<ILakeUpload> StartUploadAsync(string path, LakeWriteCondition condition = default, CancellationToken cancellationToken = default);

    /// <summary>Writes a small object in one call (manifests, reports). Throws <see cref="LakeConditionFailedException"/>
    /// when the condition does not hold.</summary>
    Task<LakeItem> WriteAsync(string path, ReadOnlyMemory<byte> content, LakeWriteCondition condition = default, CancellationToken cancellationToken = default);

    /// <summary>Opens an object for reading; throws <see cref="LakeItemNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Properties of an object, or null when absent.</summary>
    Task<LakeItem?> GetAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Objects whose path starts with <paramref name="prefix"/>, in ordinal path order.</summary>
    IAsyncEnumerable<LakeItem> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object; returns false when it was absent.</summary>
    Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default);
}

/// <summary>An upload in progress: write to <see cref="Content"/>, then commit.</summary>
public interface ILakeUpload : IAsyncDisposable
{
    string Path { get; }

    /// <summary>A forward-only, write-only stream (no seeking).</summary>
    Stream Content { get; }

    /// <summary>Makes the object visible atomically; throws <see cref="LakeConditionFailedException"/> when the
    /// write condition no longer holds.</summary>
    Task<LakeItem> CommitAsync(CancellationToken cancellationToken = default);
}

/// <summary>An object in the lake.</summary>
public sealed record LakeItem(string Path, long Length, string ETag, DateTimeOffset LastModified);

/// <summary>A precondition on a write: none, the object must not exist yet, or must still have this ETag.</summary>
public readonly record struct LakeWriteCondition(bool IfNotExists, string? IfMatchETag)
{
    public static LakeWriteCondition None => default;
    public static LakeWriteCondition NotExists => new(true, null);
    public static LakeWriteCondition Matches(string etag) => new(false, etag);
}

public class LakeException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class LakeItemNotFoundException(string path, Exception? inner = null)
    : LakeException($"Lake object '{path}' does not exist.", inner)
{
    public string Path { get; } = path;
}

public sealed class LakeConditionFailedException(string path, Exception? inner = null)
    : LakeException($"Lake object '{path}' was not written: it exists already or changed since it was read.", inner)
{
    public string Path { get; } = path;
}
