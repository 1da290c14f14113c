using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// A temporary file of fixed-size records (<see cref="SpilledSort{T, TComparer}"/>'s sorted runs, the preceding visits'
/// slots), written and read a block at a time: memory is one block whatever the file's length.
/// </summary>
/// <remarks>The blocks go through synchronous positional reads and writes on the caller's thread (the methods keep the
/// pipeline's async shape): the fan-in is CPU-bound on page-cached files, where an asynchronous <see cref="FileStream"/>
/// cost a thread-pool hop and a state machine per block and ran each merge's continuation on another thread.</remarks>
internal static class SpilledRecords
{
    /// <summary>Bytes read or written at once (rounded down to whole records).</summary>
    internal const int BlockBytes = 1 << 16;

    internal static int BlockLength<T>() where T : unmanaged => BlockBytes / Unsafe.SizeOf<T>() * Unsafe.SizeOf<T>();
}

/// <summary>Writes records to a new file, a block at a time; the last block is written on dispose.</summary>
internal sealed class SpilledRecordWriter<T>(string path) : IAsyncDisposable
    where T : unmanaged
{
    private readonly SafeFileHandle _file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.SequentialScan);
    private readonly byte[] _block = new byte[SpilledRecords.BlockLength<T>()];
    private int _length;
    private long _position;

    public ValueTask WriteAsync(T record, CancellationToken cancellationToken)
    {
        MemoryMarshal.Write(_block.AsSpan(_length), in record);
        _length += Unsafe.SizeOf<T>();
        if (_length == _block.Length) Flush(cancellationToken);
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes <paramref name="records"/> after the ones written so far, straight from their memory (a sorted
    /// run: one write, not a copy per record).</summary>
    public ValueTask WriteAllAsync(ReadOnlySpan<T> records, CancellationToken cancellationToken)
    {
        Flush(cancellationToken);
        var bytes = MemoryMarshal.AsBytes(records);
        RandomAccess.Write(_file, bytes, _position);
        _position += bytes.Length;
        return ValueTask.CompletedTask;
    }

    private void Flush(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_length == 0) return;
        RandomAccess.Write(_file, _block.AsSpan(0, _length), _position);
        _position += _length;
        _length = 0;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Flush(CancellationToken.None);
        }
        finally
        {
            _file.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>Reads a file of records in order from record <c>first</c>, a block at a time. Several readers may read one
/// file at once (each at its own position).</summary>
internal sealed class SpilledRecordReader<T> : IAsyncDisposable
    where T : unmanaged
{
    private readonly SafeFileHandle _file;
    private readonly byte[] _block = new byte[SpilledRecords.BlockLength<T>()];
    private int _offset;
    private int _length;
    private long _position;

    public SpilledRecordReader(string path, long first = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        _position = first * Unsafe.SizeOf<T>();
    }

    public T Current { get; private set; }

    /// <summary>The next record when the block holds it (no await, no state machine: the merges' common case); false
    /// when the block is used up and <see cref="FillAsync"/> must read more.</summary>
    public bool TryRead(out T record)
    {
        var size = Unsafe.SizeOf<T>();
        if (_offset + size > _length)
        {
            record = default;
            return false;
        }
        record = MemoryMarshal.Read<T>(_block.AsSpan(_offset, size));
        _offset += size;
        return true;
    }

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (!TryRead(out var record) && (!Fill(cancellationToken) || !TryRead(out record))) return new ValueTask<bool>(false);
        Current = record;
        return new ValueTask<bool>(true);
    }

    /// <summary>Reads the next block (keeping a record cut by the last read); false at the end of the file.</summary>
    public ValueTask<bool> FillAsync(CancellationToken cancellationToken) => new(Fill(cancellationToken));

    private bool Fill(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var size = Unsafe.SizeOf<T>();
        var kept = _length - _offset;
        _block.AsSpan(_offset, kept).CopyTo(_block);
        _length = kept;
        _offset = 0;
        while (_length < size)
        {
            var read = RandomAccess.Read(_file, _block.AsSpan(_length), _position);
            if (read == 0)
            {
                if (_length != 0) throw new InvalidDataException("A spilled record file ends inside a record.");
                return false;
            }
            _length += read;
            _position += read;
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _file.Dispose();
        return ValueTask.CompletedTask;
    }
}
