using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// An external sort of fixed-size records, so the fan-in's per-row state does not grow with the run: records gather
/// in one buffer of <c>runLength</c>; a full buffer is sorted and written to a temporary file (a sorted run); reading
/// merges the runs and the last buffer in order (at most <see cref="MaxMergeWidth"/> runs at once: more are first merged
/// into longer runs). Memory is the buffer plus one read block per merged run, whatever the number of records; a sort
/// that never fills its buffer never touches the disk. Records that compare equal come out in no particular order:
/// give them a sequence field when ties matter. The temporary files are deleted on dispose.
/// </summary>
internal sealed class SpilledSort<T, TComparer> : IAsyncDisposable
    where T : unmanaged
    where TComparer : struct, IComparer<T>
{
    private const int BlockBytes = 1 << 16;

    /// <summary>Most runs read at once (files open, one read block each).</summary>
    internal const int MaxMergeWidth = 64;

    private readonly string _root;
    private readonly T[] _buffer;
    private readonly List<string> _runs = [];
    private string? _directory;
    private int _count;
    private int _nextRun;
    private bool _read;

    /// <param name="runLength">Records held before a sorted run is spilled.</param>
    /// <param name="directory">Where the runs' folder is created; null for the system temporary folder.</param>
    public SpilledSort(int runLength, string? directory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runLength, 1);
        _buffer = new T[runLength];
        _root = directory ?? Path.GetTempPath();
    }

    /// <summary>Records added.</summary>
    public long Count { get; private set; }

    /// <summary>Sorted runs spilled from the buffer so far (runs merged into longer ones on reading not counted).</summary>
    public int SpilledRuns { get; private set; }

    public ValueTask AddAsync(T record, CancellationToken cancellationToken)
    {
        if (_read) throw new InvalidOperationException("Records cannot be added once the sort is read.");
        if (_count == _buffer.Length) return SpillThenAddAsync(record, cancellationToken);
        _buffer[_count++] = record;
        Count++;
        return ValueTask.CompletedTask;
    }

    private async ValueTask SpillThenAddAsync(T record, CancellationToken cancellationToken)
    {
        await SpillAsync(cancellationToken).ConfigureAwait(false);
        _buffer[_count++] = record;
        Count++;
    }

    private async Task SpillAsync(CancellationToken cancellationToken)
    {
        _buffer.AsSpan(0, _count).Sort(default(TComparer));
        var path = NextRunPath();
        await using (var run = new RunWriter(path))
        {
            for (var i = 0; i < _count; i++) await run.WriteAsync(_buffer[i], cancellationToken).ConfigureAwait(false);
        }
        _runs.Add(path);
        SpilledRuns++;
        _count = 0;
    }

    private string NextRunPath()
    {
        _directory ??= Directory.CreateDirectory(Path.Combine(_root, "ingestion-fan-in-" + Guid.NewGuid().ToString("N"))).FullName;
        return Path.Combine(_directory, $"run-{_nextRun++:D6}.bin");
    }

    /// <summary>Every record added, in order; once.</summary>
    public async IAsyncEnumerable<T> SortedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_read) throw new InvalidOperationException("A sort is read once.");
        _read = true;
        _buffer.AsSpan(0, _count).Sort(default(TComparer));
        // Open files and read blocks stay bounded whatever the run length: runs beyond the merge width are first merged
        // into longer runs (one more pass over those records on disk).
        while (_runs.Count >= MaxMergeWidth) await MergeRunsAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var record in MergeAsync(_runs, _count, cancellationToken).ConfigureAwait(false)) yield return record;
    }

    private async Task MergeRunsAsync(CancellationToken cancellationToken)
    {
        var group = _runs.GetRange(0, MaxMergeWidth);
        _runs.RemoveRange(0, MaxMergeWidth);
        var path = NextRunPath();
        await using (var run = new RunWriter(path))
        {
            await foreach (var record in MergeAsync(group, 0, cancellationToken).ConfigureAwait(false))
                await run.WriteAsync(record, cancellationToken).ConfigureAwait(false);
        }
        foreach (var merged in group) File.Delete(merged);
        _runs.Add(path);
    }

    /// <summary>Merges sorted runs and the first <paramref name="buffered"/> records of the (sorted) buffer.</summary>
    private async IAsyncEnumerable<T> MergeAsync(List<string> runs, int buffered, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var readers = new List<RunReader>(runs.Count);
        try
        {
            foreach (var path in runs) readers.Add(new RunReader(path));
            // Source i < readers.Count is a spilled run, source readers.Count the buffer.
            var queue = new PriorityQueue<int, T>(readers.Count + 1, default(TComparer));
            for (var i = 0; i < readers.Count; i++)
            {
                if (await readers[i].MoveNextAsync(cancellationToken).ConfigureAwait(false)) queue.Enqueue(i, readers[i].Current);
            }
            var next = 0;
            if (next < buffered) queue.Enqueue(readers.Count, _buffer[next++]);
            while (queue.TryDequeue(out var source, out var record))
            {
                yield return record;
                if (source == readers.Count)
                {
                    if (next < buffered) queue.Enqueue(source, _buffer[next++]);
                }
                else if (await readers[source].MoveNextAsync(cancellationToken).ConfigureAwait(false)) queue.Enqueue(source, readers[source].Current);
            }
        }
        finally
        {
            foreach (var reader in readers) await reader.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_directory is not null && Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        _directory = null;
        return ValueTask.CompletedTask;
    }

    /// <summary>One sorted run written a block at a time.</summary>
    private sealed class RunWriter(string path) : IAsyncDisposable
    {
        private readonly FileStream _file = new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        private readonly byte[] _block = new byte[BlockBytes / Unsafe.SizeOf<T>() * Unsafe.SizeOf<T>()];
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

    /// <summary>One spilled run read back a block at a time.</summary>
    private sealed class RunReader(string path) : IAsyncDisposable
    {
        private readonly FileStream _file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        private readonly byte[] _block = new byte[BlockBytes / Unsafe.SizeOf<T>() * Unsafe.SizeOf<T>()];
        private int _offset;
        private int _length;

        public T Current { get; private set; }

        public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
        {
            var size = Unsafe.SizeOf<T>();
            if (_offset + size > _length)
            {
                // Keep a record cut by the last read, then fill the rest of the block.
                var kept = _length - _offset;
                _block.AsSpan(_offset, kept).CopyTo(_block);
                _length = kept;
                _offset = 0;
                while (_length < size)
                {
                    var read = await _file.ReadAsync(_block.AsMemory(_length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        if (_length != 0) throw new InvalidDataException("A spilled sort run ends inside a record.");
                        return false;
                    }
                    _length += read;
                }
            }
            Current = MemoryMarshal.Read<T>(_block.AsSpan(_offset, size));
            _offset += size;
            return true;
        }

        public ValueTask DisposeAsync() => _file.DisposeAsync();
    }
}
