namespace Ingestion.Parquet.Compression;

/// <summary>A write-only stream appending to a <see cref="ByteBuffer"/>, so stream-based codecs write straight into the chunk buffer.</summary>
internal sealed class ByteBufferStream(ByteBuffer buffer) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] source, int offset, int count) => buffer.Write(source.AsSpan(offset, count));
    public override void Write(ReadOnlySpan<byte> source) => buffer.Write(source);
    public override void WriteByte(byte value) => buffer.WriteByte(value);
}
