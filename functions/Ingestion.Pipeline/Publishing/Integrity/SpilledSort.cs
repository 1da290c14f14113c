using System.Runtime.CompilerServices;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// An external sort of fixed-size records, so the fan-in's per-row state does not grow with the run: records gather
/// in one buffer of <c>runLength</c>; a full buffer is sorted and written to a temporary file (a sorted run); reading
/// merges the runs and the last buffer in order (at most <see cref="MaxMergeWidth"/> runs at once: more are first merged
/// into longer runs). Memory is the buffer plus one read block per merged run, whatever the number of records; a sort
/// that never fills its buffer never touches the disk, and the buffer grows by doubling up to <c>runLength</c>, so a
/// small sort holds a small one. Comparisons go straight to the struct comparer (<see cref="IntroSort"/>, and a heap of
/// the runs' heads for the merge), never through the <see cref="IComparer{T}"/> interface. Records that compare equal come out in no particular order:
/// give them a sequence field when ties matter. The temporary files are deleted on dispose.
/// </summary>
internal sealed class SpilledSort<T, TComparer> : IAsyncDisposable
    where T : unmanaged
    where TComparer : struct, IComparer<T>
{
    /// <summary>The buffer's first length (it doubles up to the run length).</summary>
    private const int InitialBuffer = 1024;

    /// <summary>Most runs read at once (files open, one read block each).</summary>
    internal const int MaxMergeWidth = 64;

    private readonly string _root;
    private readonly int _runLength;
    private T[] _buffer;
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
        _runLength = runLength;
        _buffer = new T[Math.Min(runLength, InitialBuffer)];
        _root = directory ?? Path.GetTempPath();
    }

    /// <summary>Records added.</summary>
    public long Count { get; private set; }

    /// <summary>Sorted runs spilled from the buffer so far (runs merged into longer ones on reading not counted).</summary>
    public int SpilledRuns { get; private set; }

    public ValueTask AddAsync(T record, CancellationToken cancellationToken)
    {
        if (_read) throw new InvalidOperationException("Records cannot be added once the sort is read.");
        if (_count == _buffer.Length)
        {
            if (_count == _runLength) return SpillThenAddAsync(record, cancellationToken);
            Array.Resize(ref _buffer, (int)Math.Min(_runLength, 2L * _buffer.Length));
        }
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
        IntroSort.Sort(_buffer.AsSpan(0, _count), default(TComparer));
        var path = NextRunPath();
        await using (var run = new SpilledRecordWriter<T>(path))
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
        IntroSort.Sort(_buffer.AsSpan(0, _count), default(TComparer));
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
        await using (var run = new SpilledRecordWriter<T>(path))
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
        var readers = new List<SpilledRecordReader<T>>(runs.Count);
        try
        {
            foreach (var path in runs) readers.Add(new SpilledRecordReader<T>(path));
            // Source i < readers.Count is a spilled run, source readers.Count the buffer.
            var heads = new MergeHeads(readers.Count + 1);
            for (var i = 0; i < readers.Count; i++)
            {
                if (await readers[i].MoveNextAsync(cancellationToken).ConfigureAwait(false)) heads.Add(readers[i].Current, i);
            }
            var next = 0;
            if (next < buffered) heads.Add(_buffer[next++], readers.Count);
            while (heads.Count > 0)
            {
                var (record, source) = heads.Min;
                yield return record;
                if (source == readers.Count)
                {
                    if (next < buffered) heads.ReplaceMin(_buffer[next++]);
                    else heads.RemoveMin();
                }
                else if (await readers[source].MoveNextAsync(cancellationToken).ConfigureAwait(false)) heads.ReplaceMin(readers[source].Current);
                else heads.RemoveMin();
            }
        }
        finally
        {
            foreach (var reader in readers) await reader.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The merge's binary min-heap of each source's next record (at most one per source).</summary>
    private sealed class MergeHeads(int capacity)
    {
        private readonly (T Record, int Source)[] _heap = new (T, int)[capacity];

        public int Count { get; private set; }

        public (T Record, int Source) Min => _heap[0];

        public void Add(T record, int source)
        {
            var i = Count++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (default(TComparer).Compare(_heap[parent].Record, record) <= 0) break;
                _heap[i] = _heap[parent];
                i = parent;
            }
            _heap[i] = (record, source);
        }

        /// <summary>The smallest record's source moves on to <paramref name="record"/>.</summary>
        public void ReplaceMin(T record) => SiftDown((record, _heap[0].Source));

        public void RemoveMin()
        {
            var last = _heap[--Count];
            if (Count > 0) SiftDown(last);
        }

        private void SiftDown((T Record, int Source) entry)
        {
            var i = 0;
            while (true)
            {
                var child = 2 * i + 1;
                if (child >= Count) break;
                if (child + 1 < Count && default(TComparer).Compare(_heap[child + 1].Record, _heap[child].Record) < 0) child++;
                if (default(TComparer).Compare(entry.Record, _heap[child].Record) <= 0) break;
                _heap[i] = _heap[child];
                i = child;
            }
            _heap[i] = entry;
        }
    }

    /// <summary>Deletes the runs and lets the buffer go (a caller may dispose early, before the next sort fills).</summary>
    public ValueTask DisposeAsync()
    {
        _read = true;
        _buffer = [];
        _count = 0;
        if (_directory is not null && Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        _directory = null;
        return ValueTask.CompletedTask;
    }
}
