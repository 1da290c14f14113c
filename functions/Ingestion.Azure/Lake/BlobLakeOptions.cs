using Azure.Storage;

namespace Ingestion.Azure.Lake;

/// <summary>Where a <see cref="BlobLake"/> writes and how it streams parts.</summary>
public sealed class BlobLakeOptions
{
    /// <summary>The container (created by the deployment; <see cref="BlobLake.EnsureContainerAsync"/> for local runs).</summary>
    public string Container { get; set; } = "lake";

    /// <summary>Optional folder inside the container (e.g. "omop"); no leading or trailing '/'.</summary>
    public string? Prefix { get; set; }

    /// <summary>Size of one staged block. Uploads hold at most (<see cref="MaxConcurrency"/> + 1) blocks in memory.</summary>
    public int BlockSizeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Blocks staged in parallel per upload.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// The SDK transfer options for a streamed part. The initial (single Put Blob) size equals the block size so the
    /// SDK never buffers more than one block to decide between Put Blob and staged blocks (its default is 256 MB).
    /// </summary>
    internal StorageTransferOptions TransferOptions()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockSizeBytes, 64 * 1024, nameof(BlockSizeBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrency, 1, nameof(MaxConcurrency));
        return new StorageTransferOptions
        {
            InitialTransferSize = BlockSizeBytes,
            MaximumTransferSize = BlockSizeBytes,
            MaximumConcurrency = MaxConcurrency,
        };
    }
}
