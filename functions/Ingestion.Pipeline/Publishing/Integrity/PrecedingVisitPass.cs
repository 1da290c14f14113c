using System.Runtime.CompilerServices;
using Ingestion.Omop;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// preceding_visit_occurrence_id for a run's committed view (<see cref="PrecedingVisitChain"/>) in memory that does
/// not grow with the visits: the earlier runs' visits (an incremental run's merged keys) and this run's surviving visits
/// go through spilled sorts (<see cref="SpilledSort{T, TComparer}"/>), first by visit — the newest entry of a visit is
/// the committed one (this run's replaces an earlier run's) — then by person, start and visit, where two chains (the
/// earlier runs' view, the committed view) give each visit its predecessor holding one visit each. The results:
/// <list type="bullet">
/// <item>this run's visits: a temporary file of one slot per staged visit row (<see cref="OpenRows"/>), sorted by row
/// and read in row order by each visit part's rewrite;</item>
/// <item>the earlier runs' visits whose predecessor this run changed, by the part holding their committed row
/// (<see cref="Stale"/>), to write them again;</item>
/// <item>the committed view's visits in visit order (<see cref="CommittedAsync"/>), staged for the next incremental run.</item>
/// </list>
/// Memory is two sort buffers (<see cref="PipelineOptions.FanInSortRunLength"/> records at most) and the changed
/// earlier visits, whatever the number of visits.
/// </summary>
internal sealed class PrecedingVisitPass : IAsyncDisposable
{
    /// <summary>An earlier run's visit without a known part (staged before part locations were).</summary>
    private const int NoPart = -1;

    private readonly PipelineOptions _options;
    private readonly List<string> _earlierParts = [];
    private readonly Dictionary<string, int> _earlierPartIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<long, long?>> _stale = new(StringComparer.Ordinal);
    private SpilledSort<VisitEntry, VisitOrder>? _byVisit;
    private string? _directory;
    private long _earlier;
    private long _rows;
    private bool _computed;

    public PrecedingVisitPass(PipelineOptions options)
    {
        _options = options;
        _byVisit = new SpilledSort<VisitEntry, VisitOrder>(options.FanInSortRunLength, options.FanInSortDirectory);
    }

    /// <summary>True once some visit of this run has a predecessor (the visit parts are then all rewritten).</summary>
    public bool AnyRunVisitPreceded { get; private set; }

    /// <summary>The earlier runs' visits whose predecessor changed, by the part holding their committed row: visit → its
    /// predecessor now.</summary>
    public IReadOnlyDictionary<string, Dictionary<long, long?>> Stale => _stale;

    /// <summary>Earlier runs' visits whose predecessor changed but whose part is unknown (they keep the stale value).</summary>
    public long StaleWithoutPart { get; private set; }

    /// <summary>Adds an earlier run's committed visit (in the merged keys' order; a later entry of a visit replaces an
    /// earlier one). <paramref name="part"/>: the part holding its committed row, if known.</summary>
    public ValueTask AddEarlierAsync(long visit, long person, long startTicks, string? part, CancellationToken cancellationToken)
    {
        var index = NoPart;
        if (part is not null && !_earlierPartIndex.TryGetValue(part, out index))
        {
            _earlierPartIndex[part] = index = _earlierParts.Count;
            _earlierParts.Add(part);
        }
        // Before every visit of this run (whose sequence is its row, >= 0).
        return Sort.AddAsync(new VisitEntry(visit, person, startTicks, long.MinValue + _earlier++, index, 0), cancellationToken);
    }

    /// <summary>Adds a visit of this run that survives the pass. <paramref name="row"/>: its staged visit row (the slot
    /// its predecessor is read from), unique; <paramref name="part"/>: the caller's id of the part holding it.</summary>
    public ValueTask AddRunAsync(long visit, long person, long startTicks, long row, int part, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        return Sort.AddAsync(new VisitEntry(visit, person, startTicks, row, part, 0), cancellationToken);
    }

    private SpilledSort<VisitEntry, VisitOrder> Sort => _byVisit ?? throw new InvalidOperationException("Visits cannot be added once the predecessors are computed.");

    /// <summary>Computes every predecessor; <paramref name="rows"/>: the staged visit rows (slots) of the run.</summary>
    public async Task ComputeAsync(long rows, CancellationToken cancellationToken)
    {
        var byVisit = Sort;
        _byVisit = null;
        _rows = rows;
        await using (byVisit)
        await using (var byPerson = new SpilledSort<VisitEntry, ChainOrder>(_options.FanInSortRunLength, _options.FanInSortDirectory))
        {
            await using (var committed = new SpilledRecordWriter<VisitEntry>(PathOf("committed")))
            {
                await foreach (var entry in CommittedViewsAsync(byVisit, cancellationToken).ConfigureAwait(false))
                {
                    if ((entry.Views & VisitEntry.Committed) != 0) await committed.WriteAsync(entry, cancellationToken).ConfigureAwait(false);
                    await byPerson.AddAsync(entry, cancellationToken).ConfigureAwait(false);
                }
            }
            // Early: its buffer and runs go before the chains fill the next sort.
            await byVisit.DisposeAsync().ConfigureAwait(false);
            await using var preceded = new SpilledSort<RowPreceding, RowOrder>(_options.FanInSortRunLength, _options.FanInSortDirectory);
            var earlierChain = new PrecedingVisitChain();
            var committedChain = new PrecedingVisitChain();
            await foreach (var entry in byPerson.SortedAsync(cancellationToken).ConfigureAwait(false))
            {
                var before = (entry.Views & VisitEntry.Earlier) != 0 ? earlierChain.Next(entry.Person, entry.Visit) : null;
                if ((entry.Views & VisitEntry.Committed) == 0) continue;
                var now = committedChain.Next(entry.Person, entry.Visit);
                if (entry.Sequence >= 0)
                {
                    if (now is not long preceding) continue;
                    AnyRunVisitPreceded = true;
                    await preceded.AddAsync(new RowPreceding(entry.Sequence, preceding), cancellationToken).ConfigureAwait(false);
                }
                else if (before != now)
                {
                    if (entry.Part == NoPart) StaleWithoutPart++;
                    else (_stale.TryGetValue(_earlierParts[entry.Part], out var visits) ? visits : _stale[_earlierParts[entry.Part]] = [])[entry.Visit] = now;
                }
            }
            await byPerson.DisposeAsync().ConfigureAwait(false); // early too, before the slots are written
            await WriteSlotsAsync(preceded, rows, cancellationToken).ConfigureAwait(false);
        }
        _computed = true;
    }

    /// <summary>The entries sorted by visit, each marked with the views it belongs to: the committed one (the visit's
    /// last entry) and the earlier runs' (the visit's last earlier entry). Entries replaced in both are left out.</summary>
    private static async IAsyncEnumerable<VisitEntry> CommittedViewsAsync(SpilledSort<VisitEntry, VisitOrder> byVisit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        VisitEntry? earlier = null, last = null;
        await foreach (var entry in byVisit.SortedAsync(cancellationToken).ConfigureAwait(false))
        {
            if (last is { } l && l.Visit != entry.Visit)
            {
                foreach (var marked in Mark(earlier, l)) yield return marked;
                earlier = null;
            }
            if (entry.Sequence < 0) earlier = entry;
            last = entry;
        }
        if (last is { } final) foreach (var marked in Mark(earlier, final)) yield return marked;
    }

    private static IEnumerable<VisitEntry> Mark(VisitEntry? earlier, VisitEntry last)
    {
        if (earlier is { } e && e.Sequence == last.Sequence)
        {
            yield return last with { Views = VisitEntry.Earlier | VisitEntry.Committed };
            yield break;
        }
        if (earlier is { } replaced) yield return replaced with { Views = VisitEntry.Earlier };
        yield return last with { Views = VisitEntry.Committed };
    }

    /// <summary>One slot per staged visit row, in row order: a row's predecessor, or none.</summary>
    private async Task WriteSlotsAsync(SpilledSort<RowPreceding, RowOrder> preceded, long rows, CancellationToken cancellationToken)
    {
        await using var slots = new SpilledRecordWriter<PrecedingSlot>(PathOf("slots"));
        long next = 0;
        await foreach (var (row, preceding) in preceded.SortedAsync(cancellationToken).ConfigureAwait(false))
        {
            if (row >= rows) throw new InvalidOperationException("A visit's staged row is beyond the run's visit rows.");
            for (; next < row; next++) await slots.WriteAsync(default, cancellationToken).ConfigureAwait(false);
            await slots.WriteAsync(new PrecedingSlot(1, preceding), cancellationToken).ConfigureAwait(false);
            next++;
        }
        for (; next < rows; next++) await slots.WriteAsync(default, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The predecessors of the staged visit rows from <paramref name="firstRow"/> on, in row order.</summary>
    public PrecedingRows OpenRows(long firstRow)
    {
        if (!_computed) throw new InvalidOperationException("The predecessors are not computed yet.");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstRow, _rows);
        return new PrecedingRows(new SpilledRecordReader<PrecedingSlot>(PathOf("slots"), firstRow));
    }

    /// <summary>The committed view's visits in visit order with the part holding each one's committed row:
    /// <paramref name="runPart"/> names this run's parts (by the ids given to <see cref="AddRunAsync"/>),
    /// <paramref name="rewritten"/> the earlier visits written again; null when unknown.</summary>
    public async IAsyncEnumerable<(long Visit, long Person, long StartTicks, string? Part)> CommittedAsync(Func<int, string> runPart,
        IReadOnlyDictionary<long, string> rewritten, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_computed) throw new InvalidOperationException("The predecessors are not computed yet.");
        await using var reader = new SpilledRecordReader<VisitEntry>(PathOf("committed"));
        while (await reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            var entry = reader.Current;
            var part = entry.Sequence >= 0 ? runPart(entry.Part)
                : rewritten.TryGetValue(entry.Visit, out var again) ? again
                : entry.Part == NoPart ? null : _earlierParts[entry.Part];
            yield return (entry.Visit, entry.Person, entry.Start, part);
        }
    }

    private string PathOf(string name)
    {
        _directory ??= Directory.CreateDirectory(Path.Combine(_options.FanInSortDirectory ?? Path.GetTempPath(), "ingestion-visits-" + Guid.NewGuid().ToString("N"))).FullName;
        return Path.Combine(_directory, name + ".bin");
    }

    public async ValueTask DisposeAsync()
    {
        if (_byVisit is { } sort) await sort.DisposeAsync().ConfigureAwait(false);
        _byVisit = null;
        if (_directory is not null && Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        _directory = null;
    }

    /// <summary>A visit entry: <see cref="Sequence"/> orders the entries of one visit (earlier runs' first, negative;
    /// this run's is its staged row); <see cref="Part"/> an earlier part's index or the caller's run part id.</summary>
    private readonly record struct VisitEntry(long Visit, long Person, long Start, long Sequence, int Part, int Views)
    {
        public const int Earlier = 1;
        public const int Committed = 2;
    }

    private readonly struct VisitOrder : IRadixOrder<VisitEntry>
    {
        public int Compare(VisitEntry x, VisitEntry y) => x.Visit != y.Visit ? x.Visit.CompareTo(y.Visit) : x.Sequence.CompareTo(y.Sequence);

        public int Words => 2;

        public ulong Word(in VisitEntry record, int word) => word == 0 ? RadixWord.Of(record.Visit) : RadixWord.Of(record.Sequence);
    }

    /// <summary>The chains' order; an entry of both views and a replaced one cannot tie (one visit, one entry per view).</summary>
    private readonly struct ChainOrder : IRadixOrder<VisitEntry>
    {
        public int Compare(VisitEntry x, VisitEntry y)
        {
            var order = PrecedingVisitChain.Compare(x.Person, x.Start, x.Visit, y.Person, y.Start, y.Visit);
            return order != 0 ? order : x.Sequence.CompareTo(y.Sequence);
        }

        /// <summary>Person, start, visit (<see cref="PrecedingVisitChain.Compare"/>'s order), sequence.</summary>
        public int Words => 4;

        public ulong Word(in VisitEntry record, int word) => RadixWord.Of(word switch
        {
            0 => record.Person,
            1 => record.Start,
            2 => record.Visit,
            _ => record.Sequence,
        });
    }

    private readonly record struct RowPreceding(long Row, long Preceding);

    private readonly struct RowOrder : IRadixOrder<RowPreceding>
    {
        public int Compare(RowPreceding x, RowPreceding y) => x.Row.CompareTo(y.Row);

        public int Words => 1;

        public ulong Word(in RowPreceding record, int word) => RadixWord.Of(record.Row);
    }
}

/// <summary>A staged visit row's predecessor (<see cref="Present"/> 0: none).</summary>
internal readonly record struct PrecedingSlot(long Present, long Preceding);

/// <summary>The predecessors of consecutive staged visit rows (<see cref="PrecedingVisitPass.OpenRows"/>).</summary>
internal sealed class PrecedingRows(SpilledRecordReader<PrecedingSlot> reader) : IAsyncDisposable
{
    /// <summary>The next <paramref name="count"/> rows' predecessors into <paramref name="slots"/>.</summary>
    public async ValueTask ReadAsync(PrecedingSlot[] slots, int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            // Straight from the read block; an await only where a block ends.
            if (reader.TryRead(out slots[i])) continue;
            if (!await reader.FillAsync(cancellationToken).ConfigureAwait(false) || !reader.TryRead(out slots[i]))
                throw new InvalidOperationException("A visit part has more rows than were staged.");
        }
    }

    public ValueTask DisposeAsync() => reader.DisposeAsync();
}
