using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>One staged binary file of the lake (fixed-width records after a format header), written as it comes: the
/// upload starts with the first record, so a file with none writes nothing and <see cref="CompleteAsync"/> deletes a
/// stale one of an earlier attempt. Records are encoded in place into one buffer (<see cref="Reserve"/>) and written in
/// one call per about <see cref="FlushBytes"/> bytes, not an async write per record.</summary>
internal sealed class StagedBinaryFile(ILake lake, string path, ReadOnlyMemory<byte> header) : IAsyncDisposable
{
    private const int FlushBytes = 64 * 1024;

    private readonly byte[] _buffer = new byte[FlushBytes + 1024];
    private int _length;
    private ILakeUpload? _upload;

    /// <summary>The next <paramref name="bytes"/> bytes of the file, to encode one record into; then call <see cref="EndRecordAsync"/>.</summary>
    public Span<byte> Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length) throw new InvalidOperationException("A staged record was reserved without ending the previous one.");
        var span = _buffer.AsSpan(_length, bytes);
        _length += bytes;
        return span;
    }

    /// <summary>Writes the gathered records when they fill the buffer.</summary>
    public ValueTask EndRecordAsync(CancellationToken cancellationToken) =>
        _length >= FlushBytes ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;

    /// <summary>Publishes the file and returns its path; with no record written, deletes any earlier one and returns null.</summary>
    public async Task<string?> CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_upload is null)
        {
            await lake.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
            return null;
        }
        await _upload.CommitAsync(cancellationToken).ConfigureAwait(false);
        await _upload.DisposeAsync().ConfigureAwait(false);
        _upload = null;
        return path;
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_length == 0) return;
        if (_upload is null)
        {
            _upload = await lake.StartUploadAsync(path, LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
            await _upload.Content.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        }
        await _upload.Content.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        _length = 0;
    }

    public async ValueTask DisposeAsync()
    {
        // An uncommitted upload (failed attempt) is discarded by disposing it.
        if (_upload is not null) await _upload.DisposeAsync().ConfigureAwait(false);
    }
}
