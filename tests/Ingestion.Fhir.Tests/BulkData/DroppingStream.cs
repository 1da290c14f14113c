namespace Ingestion.Fhir.Tests.BulkData;

/// <summary>Serves bytes and then fails like a reset connection after <paramref name="dropAfter"/> bytes.</summary>
internal sealed class DroppingStream(byte[] data, long dropAfter, int maxChunk = int.MaxValue) : Stream
{
    private long _position;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= dropAfter && _position < data.Length) throw new IOException("connection reset (simulated)");
        var n = (int)Math.Min(Math.Min(count, maxChunk), Math.Min(data.Length, dropAfter) - _position);
        if (n <= 0) return 0;
        Array.Copy(data, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
