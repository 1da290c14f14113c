using System.IO.Pipelines;

namespace Ingestion.Azure.Lake;

/// <summary>
/// The write-only, forward-only face of a <see cref="BlobLakeUpload"/>: copies into the pipe (waiting while it is full)
/// and fails as soon as the upload behind it has failed, instead of writing the rest of a part into nowhere.
/// </summary>
internal sealed class BlobLakeUploadStream(PipeWriter writer, Task upload) : Stream
{
    private long _length;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfUploadStopped();
        var result = await writer.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (result.IsCompleted) ThrowIfUploadStopped(stopped: true);
        _length += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private void ThrowIfUploadStopped(bool stopped = false)
    {
        if (!stopped && !upload.IsCompleted) return;
        // The reader side ended before the writer did: only a failed (or cancelled) upload does that.
        throw new IOException("The lake upload stopped before the part was complete; commit reports why.", upload.Exception?.InnerException);
    }

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
