using System.Text;
using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>Streams one table's staged rows to one lake file (<see cref="FanInStaging"/>); the upload starts with the
/// first row, so a file with no rows writes nothing and <see cref="CompleteAsync"/> deletes a stale one.</summary>
internal sealed class FanInStagingWriter(ILake lake, OmopTable table, string path) : IAsyncDisposable
{
    private ILakeUpload? _upload;
    private StreamWriter? _writer;

    public long Rows { get; private set; }

    public async Task WriteAsync(object?[] row, CancellationToken cancellationToken)
    {
        if (_writer is null)
        {
            _upload = await lake.StartUploadAsync(path, LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
            _writer = new StreamWriter(_upload.Content, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        }
        await _writer.WriteLineAsync(StagedRowCodec.Encode(table, row).AsMemory(), cancellationToken).ConfigureAwait(false);
        Rows++;
    }

    /// <summary>Publishes the staged file; returns its path, or null (and deletes any earlier one) when it has no rows.</summary>
    public async Task<string?> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_writer is null)
        {
            await lake.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
            return null;
        }
        await _writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
        await _upload!.CommitAsync(cancellationToken).ConfigureAwait(false);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
        if (_upload is not null) await _upload.DisposeAsync().ConfigureAwait(false);
    }
}
