using System.Buffers;
using System.Buffers.Binary;

namespace Ingestion.Parquet;

/// <summary>A growable byte buffer on pooled arrays: pages, chunks and the footer are encoded into it, then written in one call.</summary>
internal sealed class ByteBuffer : IDisposable
{
    private byte[] _array;
    private int _length;

    public ByteBuffer(int initialCapacity = 4096) => _array = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _length);

    public void Clear() => _length = 0;

    /// <summary>A span of at least <paramref name="size"/> writable bytes after the written part.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (_array.Length - _length < size) Grow(size);
        return _array.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    public void WriteByte(byte value)
    {
        if (_length == _array.Length) Grow(1);
        _array[_length++] = value;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
    }

    public void WriteInt32LittleEndian(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(GetSpan(4), value);
        _length += 4;
    }

    /// <summary>Overwrites 4 bytes already written (a length prefix known only after its content).</summary>
    public void PatchInt32LittleEndian(int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(_array.AsSpan(offset, 4), value);

    public void WriteUnsignedVarint(ulong value)
    {
        var span = GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        _length += i;
    }

    private void Grow(int size)
    {
        var capacity = (int)Math.Min(Array.MaxLength, Math.Max((long)_array.Length * 2, (long)_length + size));
        if (capacity - _length < size) throw new OutOfMemoryException("Parquet buffer exceeds the maximum array size.");
        var next = ArrayPool<byte>.Shared.Rent(capacity);
        _array.AsSpan(0, _length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_array);
        _array = next;
    }

    public void Dispose()
    {
        var array = _array;
        _array = [];
        _length = 0;
        if (array.Length > 0) ArrayPool<byte>.Shared.Return(array);
    }
}
