using Microsoft.Win32.SafeHandles;

namespace Ingestion.Pipeline.Sources;

/// <summary>
/// Bytes [offset, offset + length) of a landed file (one chunk, or the whole file), read with positional reads on the
/// calling thread. On Linux the runtime's asynchronous file read is this same read, run on a thread-pool thread, and
/// the reader continues from there: a thread-pool hop per buffer for a local file that is mostly in the page cache.
/// Reading in place blocks a thread for exactly as long (the read itself) and saves the hop.
/// </summary>
internal sealed class LandedFileStream : Stream
{
    private readonly SafeFileHandle _handle;
    private readonly long _end;
    private long _position;

    private LandedFileStream(SafeFileHandle handle, long offset, long end)
    {
        _handle = handle;
        _position = offset;
        _end = end;
    }

    /// <summary>Opens <paramref name="path"/> for a sequential read of <paramref name="length"/> bytes from
    /// <paramref name="offset"/> (null: to the end of the file).</summary>
    public static LandedFileStream Open(string path, long offset, long? length)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        try
        {
            var fileLength = RandomAccess.GetLength(handle);
            var end = length is { } n ? Math.Min(offset + n, fileLength) : fileLength;
            return new LandedFileStream(handle, offset, end);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var left = _end - _position;
        if (left <= 0 || buffer.IsEmpty) return 0;
        var n = RandomAccess.Read(_handle, buffer[..(int)Math.Min(buffer.Length, left)], _position);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<int>(cancellationToken);
        try
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }
        catch (IOException e)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _handle.Dispose();
        base.Dispose(disposing);
    }
}
