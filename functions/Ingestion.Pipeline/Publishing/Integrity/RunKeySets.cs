using System.Globalization;
using System.Text;
using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The keys of every referenced table (<see cref="CdmForeignKeys.ReferencedTables"/>) that a run's committed view
/// holds: the run's own rows that survive the integrity pass, plus, for an incremental run, the keys of the source's
/// earlier runs (merged, staged under <see cref="RowKeyStaging.MergedPathOf"/> for the next run). The merged visits also
/// carry their person, start and the part holding their committed row, for preceding_visit_occurrence_id
/// (<see cref="PrecedingVisitPass"/>, which holds them on disk). Memory grows with these keys, not with event rows.
/// </summary>
internal sealed class RunKeySets
{
    private readonly Dictionary<string, RowKeySet> _keys = CdmForeignKeys.ReferencedTables.ToDictionary(t => t.Name, _ => new RowKeySet(), StringComparer.Ordinal);

    public bool Contains(OmopTable table, long key) => _keys.TryGetValue(table.Name, out var keys) && keys.Contains(key);

    public void Add(OmopTable table, long key) => _keys[table.Name].Add(key);

    /// <summary>The key set of a referenced table, looked up once by callers that test many keys (the set is only ever
    /// added to, never replaced).</summary>
    public RowKeySet SetOf(OmopTable table) => _keys[table.Name];

    public int Count(OmopTable table) => _keys[table.Name].Count;

    /// <summary>Adds the merged keys a previous run staged, its visits also to <paramref name="visits"/>; a run without
    /// them (published before this staging existed) adds nothing.</summary>
    public async Task AddMergedAsync(ILake lake, string runId, PrecedingVisitPass visits, CancellationToken cancellationToken)
    {
        foreach (var table in CdmForeignKeys.ReferencedTables)
        {
            var path = RowKeyStaging.MergedPathOf(runId, table);
            if (await lake.GetAsync(path, cancellationToken).ConfigureAwait(false) is null) continue;
            await using var stream = await lake.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var isVisits = ReferenceEquals(table, CdmTables.VisitOccurrence);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0) continue;
                // The part path comes last, so it may hold any character.
                var cells = line.Split(',', 4);
                var key = long.Parse(cells[0], CultureInfo.InvariantCulture);
                Add(table, key);
                if (!isVisits) continue;
                await visits.AddEarlierAsync(key, long.Parse(cells[1], CultureInfo.InvariantCulture), long.Parse(cells[2], CultureInfo.InvariantCulture),
                    cells.Length > 3 && cells[3].Length > 0 ? cells[3] : null, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stages the keys of the referenced tables other than visit_occurrence for the next incremental run, one
    /// per line in key order. Complete once the keys are (the integrity pass's first pass), so it runs beside the rest of
    /// the pass.</summary>
    public async Task WriteMergedKeysAsync(ILake lake, string runId, CancellationToken cancellationToken)
    {
        foreach (var table in CdmForeignKeys.ReferencedTables)
        {
            if (ReferenceEquals(table, CdmTables.VisitOccurrence)) continue;
            await using var merged = await MergedLines.StartAsync(lake, RowKeyStaging.MergedPathOf(runId, table), cancellationToken).ConfigureAwait(false);
            foreach (var key in _keys[table.Name].Sorted())
            {
                merged.Line.Append(CultureInfo.InvariantCulture, $"{key}");
                await merged.EndLineAsync(cancellationToken).ConfigureAwait(false);
            }
            await merged.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stages the committed view's visits (from <see cref="PrecedingVisitPass.CommittedAsync"/>, in visit
    /// order) for the next incremental run as key,person,startTicks,partPath.</summary>
    public static async Task WriteMergedVisitsAsync(ILake lake, string runId, IAsyncEnumerable<(long Visit, long Person, long StartTicks, string? Part)> visits,
        CancellationToken cancellationToken)
    {
        await using var merged = await MergedLines.StartAsync(lake, RowKeyStaging.MergedPathOf(runId, CdmTables.VisitOccurrence), cancellationToken).ConfigureAwait(false);
        await foreach (var (visit, person, start, part) in visits.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            merged.Line.Append(CultureInfo.InvariantCulture, $"{visit},{person},{start},{part}");
            await merged.EndLineAsync(cancellationToken).ConfigureAwait(false);
        }
        await merged.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One merged-keys file: lines gathered in a character buffer and written a buffer at a time (a visit file has a line
    /// per visit of the committed view: not a string and an await per line), UTF-8 without a byte order mark, a line end
    /// after each line (what <see cref="AddMergedAsync"/> reads). Committed only by <see cref="CommitAsync"/>.
    /// </summary>
    private sealed class MergedLines : IAsyncDisposable
    {
        private const int FlushAt = 1 << 15;
        private readonly ILakeUpload _upload;
        private readonly StreamWriter _writer;
        private bool _writerEnded;

        private MergedLines(ILakeUpload upload)
        {
            _upload = upload;
            _writer = new StreamWriter(upload.Content, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        }

        /// <summary>The lines not written yet; append one line's text (invariant culture), then <see cref="EndLineAsync"/>.</summary>
        public StringBuilder Line { get; } = new(FlushAt + 256);

        public static async Task<MergedLines> StartAsync(ILake lake, string path, CancellationToken cancellationToken) =>
            new(await lake.StartUploadAsync(path, LakeWriteCondition.None, cancellationToken).ConfigureAwait(false));

        public ValueTask EndLineAsync(CancellationToken cancellationToken)
        {
            Line.Append(Environment.NewLine);
            return Line.Length < FlushAt ? ValueTask.CompletedTask : new ValueTask(FlushLinesAsync(cancellationToken));
        }

        private async Task FlushLinesAsync(CancellationToken cancellationToken)
        {
            foreach (var chunk in Line.GetChunks()) await _writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            Line.Clear();
        }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            await FlushLinesAsync(cancellationToken).ConfigureAwait(false);
            // The writer ends (its last bytes reach the upload) before the commit closes the upload's stream.
            await EndWriterAsync().ConfigureAwait(false);
            await _upload.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await EndWriterAsync().ConfigureAwait(false);
            await _upload.DisposeAsync().ConfigureAwait(false);
        }

        // Once: a writer disposed again flushes the upload's stream, which the commit closed.
        private async ValueTask EndWriterAsync()
        {
            if (_writerEnded) return;
            _writerEnded = true;
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
