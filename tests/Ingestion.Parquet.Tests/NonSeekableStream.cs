namespace Ingestion.Parquet.Tests;

/// <summary>A forward-only output (like a blob upload stream): Seek, Position and Length throw, so a writer that needs them fails.</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public int WriteCalls { get; private set; }
    public bool FailWrites { get; set; }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException("forward-only stream");
    public override long Position { get => throw new NotSupportedException("forward-only stream"); set => throw new NotSupportedException("forward-only stream"); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("forward-only stream");
    public override void SetLength(long value) => throw new NotSupportedException("forward-only stream");
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        WriteCalls++;
        if (FailWrites) throw new IOException("simulated upload failure");
        inner.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        WriteCalls++;
        if (FailWrites) throw new IOException("simulated upload failure");
        await inner.WriteAsync(buffer, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
