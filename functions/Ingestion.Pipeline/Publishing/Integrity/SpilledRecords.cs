using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// A temporary file of fixed-size records (<see cref="SpilledSort{T, TComparer}"/>'s sorted runs, the preceding visits'
/// slots), written and read a block at a time: memory is one block whatever the file's length.
/// </summary>
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
    private readonly FileStream _file = new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
    private readonly byte[] _block = new byte[SpilledRecords.BlockLength<T>()];
    private int _length;

    public ValueTask WriteAsync(T record, CancellationToken cancellationToken)
    {
        MemoryMarshal.Write(_block.AsSpan(_length), in record);
        _length += Unsafe.SizeOf<T>();
        return _length == _block.Length ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _file.WriteAsync(_block.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        _length = 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (_length > 0) await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Reads a file of records in order from record <c>first</c>, a block at a time. Several readers may read one
/// file at once (each at its own position).</summary>
internal sealed class SpilledRecordReader<T> : IAsyncDisposable
    where T : unmanaged
{
    private readonly FileStream _file;
    private readonly byte[] _block = new byte[SpilledRecords.BlockLength<T>()];
    private int _offset;
    private int _length;

    public SpilledRecordReader(string path, long first = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        if (first > 0) _file.Seek(first * Unsafe.SizeOf<T>(), SeekOrigin.Begin);
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
        if (TryRead(out var record))
        {
            Current = record;
            return new ValueTask<bool>(true);
        }
        return MoveNextSlowAsync(cancellationToken);
    }

    private async ValueTask<bool> MoveNextSlowAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(cancellationToken).ConfigureAwait(false) || !TryRead(out var record)) return false;
        Current = record;
        return true;
    }

    /// <summary>Reads the next block (keeping a record cut by the last read); false at the end of the file.</summary>
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        var size = Unsafe.SizeOf<T>();
        var kept = _length - _offset;
        _block.AsSpan(_offset, kept).CopyTo(_block);
        _length = kept;
        _offset = 0;
        while (_length < size)
        {
            var read = await _file.ReadAsync(_block.AsMemory(_length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (_length != 0) throw new InvalidDataException("A spilled record file ends inside a record.");
                return false;
            }
            _length += read;
        }
        return true;
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
