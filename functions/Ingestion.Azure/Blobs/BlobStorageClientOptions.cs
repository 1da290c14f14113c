using Ingestion.Azure.Storage;

namespace Ingestion.Azure.Blobs;

/// <summary>Options of <see cref="BlobStorageClient"/>: REST version, retries, and the staged upload's block size and parallelism.</summary>
public sealed class BlobStorageClientOptions : StorageClientOptions
{
    /// <summary>Size of each staged block (Put Block). Memory of one upload is at most (MaxConcurrency + 1) × BlockSize.</summary>
    public int BlockSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Blocks uploaded in parallel per upload stream.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Page size of listings (the service's maximum is 5000).</summary>
    public int ListPageSize { get; set; } = 1000;
}
