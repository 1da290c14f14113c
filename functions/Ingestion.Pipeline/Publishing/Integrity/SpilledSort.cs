namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// An external sort of fixed-size records, so the fan-in's per-row state does not grow with the run: records gather
/// in one buffer of <c>runLength</c>; a full buffer is sorted and written to a temporary file (a sorted run); reading
/// merges the runs and the last buffer in order (at most <see cref="MaxMergeWidth"/> runs at once: more are first merged
/// into longer runs). Memory is the buffer plus one read block per merged run, whatever the number of records; a sort
/// that never fills its buffer never touches the disk, and the buffer grows by doubling up to <c>runLength</c>, so a
/// small sort holds a small one. A buffer is sorted in place by its key bytes (<see cref="RadixSort"/>); the merge
/// compares through the struct order (a heap of the runs' heads), never through the <see cref="IComparer{T}"/>
/// interface. Records that compare equal come out in no particular order: give them a sequence field when ties matter.
/// The temporary files are deleted on dispose.
/// </summary>
internal sealed class SpilledSort<T, TComparer> : IAsyncDisposable
    where T : unmanaged
    where TComparer : struct, IRadixOrder<T>
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
        SortBuffer();
        var path = NextRunPath();
        await using (var run = new SpilledRecordWriter<T>(path))
        {
            await run.WriteAllAsync(_buffer.AsSpan(0, _count), cancellationToken).ConfigureAwait(false);
        }
        _runs.Add(path);
        SpilledRuns++;
        _count = 0;
    }

    private void SortBuffer() => RadixSort.Sort(_buffer.AsSpan(0, _count), default(TComparer));

    private string NextRunPath()
    {
        _directory ??= Directory.CreateDirectory(Path.Combine(_root, "ingestion-fan-in-" + Guid.NewGuid().ToString("N"))).FullName;
        return Path.Combine(_directory, $"run-{_nextRun++:D6}.bin");
    }

    /// <summary>Every record added, in order; once. A record whose source's read block holds the next one comes out
    /// without an await or a state machine (<see cref="RunMerge"/>): only a block's end reads the disk.</summary>
    public IAsyncEnumerable<T> SortedAsync(CancellationToken cancellationToken)
    {
        if (_read) throw new InvalidOperationException("A sort is read once.");
        _read = true;
        return new SortedRecords(this, cancellationToken);
    }

    /// <summary>Sorts the buffer and first merges runs beyond the merge width into longer runs, so open files and read
    /// blocks stay bounded whatever the run length (one more pass over those records on disk).</summary>
    private async Task<RunMerge> StartMergeAsync(CancellationToken cancellationToken)
    {
        SortBuffer();
        while (_runs.Count >= MaxMergeWidth) await MergeRunsAsync(cancellationToken).ConfigureAwait(false);
        return await RunMerge.OpenAsync(_runs, _buffer, _count, cancellationToken).ConfigureAwait(false);
    }

    private async Task MergeRunsAsync(CancellationToken cancellationToken)
    {
        var group = _runs.GetRange(0, MaxMergeWidth);
        _runs.RemoveRange(0, MaxMergeWidth);
        var path = NextRunPath();
        await using (var run = new SpilledRecordWriter<T>(path))
        await using (var merge = await RunMerge.OpenAsync(group, _buffer, 0, cancellationToken).ConfigureAwait(false))
        {
            while (await merge.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                await run.WriteAsync(merge.Current, cancellationToken).ConfigureAwait(false);
        }
        foreach (var merged in group) File.Delete(merged);
        _runs.Add(path);
    }

    /// <summary>The sort's one enumeration: opens the merge on the first move.</summary>
    private sealed class SortedRecords(SpilledSort<T, TComparer> sort, CancellationToken cancellationToken) : IAsyncEnumerable<T>, IAsyncEnumerator<T>
    {
        private RunMerge? _merge;
        private bool _enumerated;

        public T Current => _merge!.Current;

        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken token = default)
        {
            if (_enumerated) throw new InvalidOperationException("A sort is read once.");
            _enumerated = true;
            return this;
        }

        public ValueTask<bool> MoveNextAsync() => _merge is { } merge ? merge.MoveNextAsync(cancellationToken) : StartAsync();

        private async ValueTask<bool> StartAsync()
        {
            _merge = await sort.StartMergeAsync(cancellationToken).ConfigureAwait(false);
            return await _merge.MoveNextAsync(cancellationToken).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync() => _merge?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>
    /// Merges sorted runs and the first records of the (sorted) buffer. <see cref="MoveNextAsync"/> completes
    /// synchronously unless the source of the record it replaces at the heap's top needs its next block read: per
    /// record a heap step and a copy out of a read block, not an async iterator and a read per record.
    /// </summary>
    private sealed class RunMerge : IAsyncDisposable
    {
        private readonly List<SpilledRecordReader<T>> _readers;
        private readonly T[] _buffer;
        private readonly int _buffered;
        private readonly MergeHeads _heads;
        private int _next;
        // The source whose record is Current: it moves on at the next MoveNextAsync (-1: none yet).
        private int _advance = -1;

        private RunMerge(int runs, T[] buffer, int buffered)
        {
            _readers = new List<SpilledRecordReader<T>>(runs);
            _buffer = buffer;
            _buffered = buffered;
            _heads = new MergeHeads(runs + 1);
        }

        public T Current { get; private set; }

        /// <summary>Source i &lt; readers is a spilled run, source readers.Count the buffer.</summary>
        public static async Task<RunMerge> OpenAsync(List<string> runs, T[] buffer, int buffered, CancellationToken cancellationToken)
        {
            var merge = new RunMerge(runs.Count, buffer, buffered);
            var readers = merge._readers;
            try
            {
                foreach (var path in runs) readers.Add(new SpilledRecordReader<T>(path));
                for (var i = 0; i < readers.Count; i++)
                {
                    if (await readers[i].MoveNextAsync(cancellationToken).ConfigureAwait(false)) merge._heads.Add(readers[i].Current, i);
                }
                if (merge._next < buffered) merge._heads.Add(buffer[merge._next++], readers.Count);
                return merge;
            }
            catch
            {
                await merge.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
        {
            var source = _advance;
            if (source >= 0)
            {
                if (source == _readers.Count)
                {
                    if (_next < _buffered) _heads.ReplaceMin(_buffer[_next++]);
                    else _heads.RemoveMin();
                }
                else if (_readers[source].TryRead(out var record)) _heads.ReplaceMin(record);
                else return AdvanceAsync(source, cancellationToken);
            }
            return new ValueTask<bool>(TakeMin());
        }

        private async ValueTask<bool> AdvanceAsync(int source, CancellationToken cancellationToken)
        {
            var reader = _readers[source];
            if (await reader.FillAsync(cancellationToken).ConfigureAwait(false) && reader.TryRead(out var record)) _heads.ReplaceMin(record);
            else _heads.RemoveMin();
            return TakeMin();
        }

        private bool TakeMin()
        {
            if (_heads.Count == 0)
            {
                _advance = -1;
                return false;
            }
            var (record, source) = _heads.Min;
            Current = record;
            _advance = source;
            return true;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var reader in _readers) await reader.DisposeAsync().ConfigureAwait(false);
            _readers.Clear();
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
