using Ingestion.Storage;

namespace Ingestion.Azure.Blobs;

/// <summary>An <see cref="ILakeUpload"/> over a <see cref="BlockBlobUploadStream"/>: commit = Put Block List.</summary>
internal sealed class BlobLakeUpload(BlobLake lake, string path, BlockBlobUploadStream stream) : ILakeUpload
{
    private readonly BlobLake _lake = lake;

    public string Path { get; } = path;

    public Stream Content => stream;

    public async Task<LakeItem> CommitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = await stream.CommitAsync(cancellationToken).ConfigureAwait(false);
            return BlobLake.ItemOf(Path, properties);
        }
        catch (BlobStorageException ex) when (ex.IsConditionFailure)
        {
            throw new LakeConditionFailedException(Path, ex);
        }
        catch (BlobStorageException ex) when (ex.ErrorCode == BlobStorageException.InvalidBlockList)
        {
            // Another writer committed this name first and the service discarded our staged blocks.
            throw new LakeConditionFailedException(Path, ex);
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();

    public override string ToString() => $"{_lake.Location}{Path}";
}
