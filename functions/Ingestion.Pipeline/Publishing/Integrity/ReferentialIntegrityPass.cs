using System.Collections;
using System.Threading.Channels;
using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The fan-in's referential-integrity pass over the rows the file activities wrote (docs/omop-mapping.md,
/// "Referential integrity"), from the keys each file staged (<see cref="RowKeyStaging"/>), never by reading every
/// part:
/// <list type="number">
/// <item>keys of persons, providers, care sites, locations, visits and visit details that the run emitted (a visit
/// or visit detail only when its required person / visit exists) plus, for an incremental run, those of the source's
/// earlier runs (<see cref="RunKeySets"/>);</item>
/// <item>one row per key: of rows sharing a key, the newest <c>meta.lastUpdated</c> wins, else the later file, else the
/// later line; the others are dropped and counted;</item>
/// <item>a reference naming no such key is nulled, or, when the reference is required (person_id,
/// visit_detail.visit_occurrence_id), the row is deferred (<see cref="PendingRows"/>: an event that arrived before its
/// Patient), counted per table, column and reason; an incremental run judges the previous run's pending rows like its
/// own and emits those whose reference now exists;</item>
/// <item>preceding_visit_occurrence_id from every visit of the committed view (<see cref="PrecedingVisitBuilder"/>);
/// an earlier run's visit whose predecessor this run changed is written again (<see cref="ReemitStaleVisitsAsync"/>).</item>
/// </list>
/// Only the parts holding such a row are rewritten, each to <see cref="LakePaths.RewrittenPart"/> (deterministic, so a
/// re-delivered reduce rewrites the same objects from the untouched originals; the publisher drops the originals).
/// Memory grows with the referenced tables' keys (and the visits' starts), not with event rows: the run's row keys and
/// referenced rows pass through spilled sorts (<see cref="SpilledSort{T, TComparer}"/>), sorted runs on disk merged.
/// </summary>
internal sealed class ReferentialIntegrityPass(ILake lake, PipelineOptions options)
{
    private static readonly int VisitPersonReference = CdmForeignKeys.Of(CdmTables.VisitOccurrence).ToList().FindIndex(fk => fk.Column == "person_id");

    /// <summary>The file index of the previous run's pending rows: before every file of this run.</summary>
    private const int PendingFile = -1;

    private readonly RunKeySets _keys = new();
    private readonly Dictionary<(int File, string Table, long Ordinal), StagedRowKey> _deferred = [];
    private readonly Dictionary<string, HashSet<long>> _duplicateKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<long, Winner>> _winners = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Table, string Column, string Reason), long> _corrections = [];
    private readonly Dictionary<string, long> _duplicates = new(StringComparer.Ordinal);
    private VisitPredecessors _preceding = VisitPredecessors.Empty;

    /// <summary>Keys that exist in the committed view after the pass: what the reduce outputs may reference.</summary>
    public RunKeySets Keys => _keys;

    public ForeignKeyChecks Checks { get; private set; } = null!;

    /// <summary>Counts a row the reduce itself dropped (its person is not in <see cref="Keys"/>).</summary>
    public void CountExcluded(OmopTable table, string column) => Count(table.Name, column, IntegrityCorrection.RowExcluded);

    /// <param name="previousRunId">The source's previous published run, for an incremental run (its merged keys and
    /// pending rows join this run's); null for a full run.</param>
    /// <param name="latestRunId">The source's latest published run: a full run counts its pending rows as dropped.</param>
    public async Task<IReadOnlyList<PartOutput>> RunAsync(string runId, IReadOnlyList<ActivityState> activities, string? previousRunId, string? latestRunId,
        List<string> replaced, CancellationToken cancellationToken)
    {
        Checks = new ForeignKeyChecks(_keys.Contains);
        var files = activities.Where(a => a.Result is not null).OrderBy(a => a.Index).Select(a => new FileParts(a.Index, a.Result!.RowKeysPath, a.Result.Parts)).ToList();
        if (previousRunId is not null) await _keys.AddMergedAsync(lake, previousRunId, cancellationToken).ConfigureAwait(false);
        // The previous run's pending rows are judged like a file of this run that comes before every other (so a
        // row of this run wins a tie); a full run is a complete snapshot and counts them as dropped instead.
        if (previousRunId is not null && await PendingRows.ReadAsync(lake, previousRunId, cancellationToken).ConfigureAwait(false) is { } pending)
            files.Insert(0, new FileParts(PendingFile, pending.StagedPath, pending.Parts));
        else if (previousRunId is null && latestRunId is not null && await PendingRows.ReadAsync(lake, latestRunId, cancellationToken).ConfigureAwait(false) is { } dropped)
        {
            foreach (var rows in dropped.Rows) _corrections[(rows.Table, rows.Column, IntegrityCorrection.PendingDropped)] = rows.Rows;
        }

        // Pass 1: which keys occur twice; the referenced tables' rows and their required references. Both through
        // spilled sorts (docs/benchmarks.md, issue #19): every row key of the run and every referenced row pass here,
        // so memory stays one sort buffer each however large the run.
        await using (var keys = new SpilledSort<TableKey, TableKeyOrder>(options.FanInSortRunLength, options.FanInSortDirectory))
        await using (var referenced = new SpilledSort<ReferencedRow, ReferencedRowOrder>(options.FanInSortRunLength, options.FanInSortDirectory))
        {
            long sequence = 0;
            await ForEachStagedAsync(files, async (_, row, _) =>
            {
                await keys.AddAsync(new TableKey(row.Key, TableIndex[row.Table]), cancellationToken).ConfigureAwait(false);
                if (ReferencedIndex.TryGetValue(row.Table, out var table))
                    await referenced.AddAsync(ReferencedRowOf(table, row, sequence++), cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            TableKey? previous = null;
            await foreach (var key in keys.SortedAsync(cancellationToken).ConfigureAwait(false))
            {
                if (previous == key) SetOf(_duplicateKeys, CdmTables.All[key.Table].Name).Add(key.Key);
                previous = key;
            }
            // In dependency order, so a visit counts only when its person does, a visit detail only when its visit
            // does; of the rows of one key, the last staged decides (the later row of a key replaces the earlier).
            ReferencedRow? last = null;
            await foreach (var row in referenced.SortedAsync(cancellationToken).ConfigureAwait(false))
            {
                if (last is { } l && (l.Table != row.Table || l.Key != row.Key)) AddIfKept(l);
                last = row;
            }
            if (last is { } final) AddIfKept(final);
        }

        // Pass 2: the winner of each duplicated key.
        if (_duplicateKeys.Count > 0)
        {
            await ForEachStagedAsync(files, (file, row, ordinal) =>
            {
                if (!_duplicateKeys.TryGetValue(row.Table.Name, out var keys) || !keys.Contains(row.Key)) return;
                var candidate = new Winner(row.LastUpdatedTicks, file.Index, row.Line, ordinal);
                var winners = _winners.TryGetValue(row.Table.Name, out var w) ? w : _winners[row.Table.Name] = [];
                if (!winners.TryGetValue(row.Key, out var current) || candidate.Beats(current)) winners[row.Key] = candidate;
            }, cancellationToken).ConfigureAwait(false);
        }

        // The predecessors the earlier runs' visits have in the committed view, before this run's visits join.
        var earlierPreceding = previousRunId is null ? null : _keys.Visits.Preceding();

        // Pass 3: the parts holding a row to drop or change; the run's surviving visits and their parts; and the
        // foreign-key check of every row, counted per part and reference (not per row through the checks' named
        // slots), so the parts left as they are add theirs below without another pass over the staged rows.
        var dirty = new HashSet<(int File, string Table, int Part)>();
        // The run's surviving visits (one row per key by now): a list, not a dictionary of the run's visits.
        var runVisits = new List<(long Visit, int File, int Part)>();
        var partChecks = new Dictionary<(int File, string Table, int Part), (long Checked, long Dangling)[]>();
        await ForEachStagedAsync(files, (file, row, ordinal) =>
        {
            var verdict = Judge(row.Table, row.Key, file.Index, ordinal, row.References);
            var part = (file.Index, row.Table.Name, file.PartOf(row.Table.Name, ordinal));
            // Pending parts live in staging: every one is rewritten into the run's folder (or pending again).
            if (verdict.Changes || file.Index == PendingFile) dirty.Add(part);
            if (verdict.Reason == IntegrityCorrection.Deferred) _deferred[(file.Index, row.Table.Name, ordinal)] = row;
            if (!verdict.Drop && ReferenceEquals(row.Table, CdmTables.VisitOccurrence))
            {
                _keys.Visits.Add(row.Key, (long)row.References[VisitPersonReference]!, row.StartTicks);
                runVisits.Add((row.Key, file.Index, part.Item3));
            }
            var fks = CdmForeignKeys.Of(row.Table);
            if (fks.Count == 0) return;
            if (!partChecks.TryGetValue(part, out var slots)) partChecks[part] = slots = new (long, long)[fks.Count];
            for (var i = 0; i < fks.Count; i++)
            {
                if (row.References[i] is not long key) continue;
                slots[i].Checked++;
                if (!_keys.Contains(fks[i].Target, key)) slots[i].Dangling++;
            }
        }, cancellationToken).ConfigureAwait(false);
        _preceding = _keys.Visits.Preceding();
        if (runVisits.Exists(v => _preceding.ContainsKey(v.Visit)))
        {
            foreach (var file in files)
            {
                for (var p = 0; p < file.Parts(CdmTables.VisitOccurrence.Name).Count; p++) dirty.Add((file.Index, CdmTables.VisitOccurrence.Name, p));
            }
        }
        string TargetOf(FileParts file, string table, int part) => file.Index == PendingFile ? LakePaths.ReleasedPart(table, runId, part)
            : LakePaths.RewrittenPart(table, runId, file.Index, LakePaths.PartNumber(file.Parts(table)[part].Part.Path));
        var byIndex = files.ToDictionary(f => f.Index);
        var paths = new Dictionary<(int File, int Part), string>();
        var located = new (long Visit, string Path)[runVisits.Count];
        for (var i = 0; i < located.Length; i++)
        {
            var (visit, fileIndex, part) = runVisits[i];
            if (!paths.TryGetValue((fileIndex, part), out var path))
            {
                var file = byIndex[fileIndex];
                var table = CdmTables.VisitOccurrence.Name;
                // One string per part, however many visits it holds.
                paths[(fileIndex, part)] = path = dirty.Contains((fileIndex, table, part)) ? TargetOf(file, table, part) : file.Parts(table)[part].Part.Path;
            }
            located[i] = (visit, path);
        }
        _keys.SetRunVisitParts(located);

        // The foreign-key check over the rows of the parts left as they are (the rewritten rows are checked as written).
        Checks.Add(partChecks.Where(kv => !dirty.Contains(kv.Key))
            .SelectMany(kv => CdmForeignKeys.Of(TableNamed(kv.Key.Table)).Select((fk, i) => new ForeignKeyCheck(kv.Key.Table, fk.Column, fk.Target.Name, kv.Value[i].Checked, kv.Value[i].Dangling)))
            .Where(c => c.RowsChecked > 0));

        // Rewrite: the dirty parts, row by row; the rewritten rows are checked as written, the deferred ones staged.
        var rewritten = new List<PartOutput>();
        await using (var pendingWriter = new PendingRowsWriter(lake, runId, options))
        {
            foreach (var (fileIndex, tableName, part) in dirty.OrderBy(d => d.File).ThenBy(d => d.Table, StringComparer.Ordinal).ThenBy(d => d.Part))
            {
                var file = files.First(f => f.Index == fileIndex);
                var (original, start) = file.Parts(tableName)[part];
                var table = TableNamed(tableName);
                var target = TargetOf(file, tableName, part);
                rewritten.Add(await RewriteAsync(table, fileIndex, original, start, target, pendingWriter, cancellationToken).ConfigureAwait(false));
                if (fileIndex != PendingFile) replaced.Add(original.Path);
            }
            await pendingWriter.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        if (earlierPreceding is not null)
            rewritten.AddRange(await ReemitStaleVisitsAsync(runId, earlierPreceding, runVisits.Select(v => v.Visit).ToHashSet(), cancellationToken).ConfigureAwait(false));
        await _keys.WriteMergedAsync(lake, runId, cancellationToken).ConfigureAwait(false);
        // The reduce after this pass needs only the keys and the checks: the visits' and the duplicates' state goes
        // now, before the eras and observation periods build theirs.
        _keys.ReleaseVisits();
        _preceding = VisitPredecessors.Empty;
        foreach (var state in new IDictionary[] { _winners, _deferred, _duplicateKeys }) state.Clear();
        _winners.TrimExcess();
        _deferred.TrimExcess();
        _duplicateKeys.TrimExcess();
        return rewritten;
    }

    /// <summary>
    /// An earlier run's visit whose predecessor changed because this run brought a visit of the same person that
    /// starts before it (or moved or removed one): its committed row, read back from the part the merged keys name, is
    /// written again by this run with the new preceding_visit_occurrence_id (newest run wins in the committed view).
    /// A visit staged before part locations were (no part known) keeps its stale value and is counted as such.
    /// </summary>
    private async Task<IReadOnlyList<PartOutput>> ReemitStaleVisitsAsync(string runId, VisitPredecessors earlierPreceding,
        HashSet<long> runVisits, CancellationToken cancellationToken)
    {
        var table = CdmTables.VisitOccurrence;
        const string column = "preceding_visit_occurrence_id";
        var stale = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);
        foreach (var (visit, _, _) in _keys.Visits.Visits())
        {
            if (runVisits.Contains(visit)) continue;
            long? before = earlierPreceding.TryGetValue(visit, out var b) ? b : null;
            long? now = _preceding.TryGetValue(visit, out var n) ? n : null;
            if (before == now) continue;
            if (_keys.VisitPartOf(visit) is { } path) SetOf(stale, path).Add(visit);
            else Count(table.Name, column, IntegrityCorrection.PrecedingStale);
        }
        if (stale.Count == 0) return [];
        await using var writer = new TablePartWriter(lake, table, part => LakePaths.ReducedPart(table.Name, runId, part), options);
        foreach (var (path, visits) in stale.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            await foreach (var row in TablePartReader.ReadAsync(lake, table, path, cancellationToken).ConfigureAwait(false))
            {
                var key = (long)row[0]!;
                if (!visits.Contains(key)) continue;
                row[PrecedingVisitBuilder.PrecedingIndex] = _preceding.TryGetValue(key, out var preceding) ? preceding : null;
                _keys.SetVisitPart(key, writer.NextRowPath);
                Checks.Observe(table, row);
                await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false);
                Count(table.Name, column, IntegrityCorrection.Reemitted);
            }
        }
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return writer.Parts;
    }

    public IntegrityResult Result(IReadOnlyList<string> replaced) => new()
    {
        ReplacedParts = replaced.Order(StringComparer.Ordinal).ToList(),
        Corrections = _corrections.OrderBy(kv => kv.Key.Table, StringComparer.Ordinal).ThenBy(kv => kv.Key.Column, StringComparer.Ordinal).ThenBy(kv => kv.Key.Reason, StringComparer.Ordinal)
            .Select(kv => new IntegrityCorrection(kv.Key.Table, kv.Key.Column, kv.Key.Reason, kv.Value)).ToList(),
        DuplicateRowsByTable = new SortedDictionary<string, long>(_duplicates, StringComparer.Ordinal),
        ForeignKeys = Checks.Results(),
    };

    private async Task<PartOutput> RewriteAsync(OmopTable table, int fileIndex, PartOutput original, long start, string target, PendingRowsWriter pending,
        CancellationToken cancellationToken)
    {
        var fks = CdmForeignKeys.Of(table);
        var references = new long?[fks.Count];
        var visits = ReferenceEquals(table, CdmTables.VisitOccurrence);
        await using var writer = new TablePartWriter(lake, table, _ => target, options);
        var ordinal = start;
        await foreach (var row in TablePartReader.ReadAsync(lake, table, original.Path, cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < fks.Count; i++) references[i] = row[fks[i].Index] as long?;
            var key = (long)row[0]!;
            var verdict = Judge(table, key, fileIndex, ordinal, references);
            if (verdict.Reason == IntegrityCorrection.Deferred)
                await pending.WriteAsync(table, verdict.Column!, row, _deferred[(fileIndex, table.Name, ordinal)], cancellationToken).ConfigureAwait(false);
            ordinal++;
            if (verdict.Drop)
            {
                Count(table.Name, verdict.Column!, verdict.Reason!);
                if (verdict.Reason == IntegrityCorrection.Duplicate) _duplicates[table.Name] = _duplicates.GetValueOrDefault(table.Name) + 1;
                continue;
            }
            for (var i = 0; i < fks.Count; i++)
            {
                if ((verdict.NullMask & (1L << i)) == 0) continue;
                row[fks[i].Index] = null;
                Count(table.Name, fks[i].Column, IntegrityCorrection.Nulled);
            }
            if (visits) row[PrecedingVisitBuilder.PrecedingIndex] = _preceding.TryGetValue(key, out var preceding) ? preceding : null;
            if (fileIndex == PendingFile) Count(table.Name, "person_id", IntegrityCorrection.Released);
            Checks.Observe(table, row);
            await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false);
        }
        // An empty part rather than none, so the table's folder still reads.
        await writer.CompleteAsync(cancellationToken, emptyPartWhenNoRows: true).ConfigureAwait(false);
        return writer.Parts.Single();
    }

    /// <summary>What happens to one row: dropped (a losing duplicate, or a required reference dangles), or kept with
    /// the dangling optional references (bit i = reference i) nulled. Decided the same way from the staged keys and
    /// from the part's row.</summary>
    private Verdict Judge(OmopTable table, long key, int fileIndex, long ordinal, IReadOnlyList<long?> references)
    {
        if (_winners.TryGetValue(table.Name, out var winners) && winners.TryGetValue(key, out var winner) && (winner.File != fileIndex || winner.Ordinal != ordinal))
            return new Verdict(true, table.Columns[0].Name, IntegrityCorrection.Duplicate, 0);
        var fks = CdmForeignKeys.Of(table);
        long mask = 0;
        for (var i = 0; i < fks.Count; i++)
        {
            if (references[i] is not long reference || _keys.Contains(fks[i].Target, reference)) continue;
            if (fks[i].Required) return new Verdict(true, fks[i].Column, IntegrityCorrection.Deferred, 0);
            mask |= 1L << i;
        }
        return new Verdict(false, null, null, mask);
    }

    private Task ForEachStagedAsync(List<FileParts> files, Action<FileParts, StagedRowKey, long> visit, CancellationToken cancellationToken) =>
        ForEachStagedAsync(files, (file, row, ordinal) =>
        {
            visit(file, row, ordinal);
            return ValueTask.CompletedTask;
        }, cancellationToken);

    /// <summary>
    /// Visits every staged row of the files in file and write order, with its ordinal in its file's table. The staged
    /// files are read and decoded on another thread, a bounded number of batches ahead, while the visits run on this
    /// one in order (they decide ties and are not thread-safe): the pass keeps both cores busy and its memory bounded.
    /// </summary>
    private async Task ForEachStagedAsync(List<FileParts> files, Func<FileParts, StagedRowKey, long, ValueTask> visit, CancellationToken cancellationToken)
    {
        var batches = Channel.CreateBounded<(FileParts File, List<StagedRowKey> Rows)>(new BoundedChannelOptions(PrefetchBatches) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(() => ReadStagedAsync(files, batches.Writer, stop.Token), CancellationToken.None);
        try
        {
            FileParts? current = null;
            var ordinals = new Dictionary<string, long>(StringComparer.Ordinal);
            await foreach (var (file, rows) in batches.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!ReferenceEquals(file, current))
                {
                    current = file;
                    ordinals.Clear();
                }
                foreach (var row in rows)
                {
                    var ordinal = ordinals.GetValueOrDefault(row.Table.Name);
                    ordinals[row.Table.Name] = ordinal + 1;
                    await visit(file, row, ordinal).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // A visit that threw stops the reader; its own failure already reached the loop above.
            await stop.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private const int PrefetchBatches = 8;
    private const int BatchRows = 4096;

    private async Task ReadStagedAsync(List<FileParts> files, ChannelWriter<(FileParts File, List<StagedRowKey> Rows)> batches, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var file in files)
            {
                if (file.StagedPath is null) continue;
                var batch = new List<StagedRowKey>(BatchRows);
                await foreach (var row in RowKeyStaging.ReadAsync(lake, file.StagedPath, cancellationToken).ConfigureAwait(false))
                {
                    batch.Add(row);
                    if (batch.Count < BatchRows) continue;
                    await batches.WriteAsync((file, batch), cancellationToken).ConfigureAwait(false);
                    batch = new List<StagedRowKey>(BatchRows);
                }
                if (batch.Count > 0) await batches.WriteAsync((file, batch), cancellationToken).ConfigureAwait(false);
            }
            batches.Complete();
        }
        catch (Exception e)
        {
            batches.Complete(e);
        }
    }

    private static readonly Dictionary<OmopTable, int> TableIndex =
        CdmTables.All.Select((t, i) => (t, i)).ToDictionary<(OmopTable t, int i), OmopTable, int>(p => p.t, p => p.i, ReferenceEqualityComparer.Instance);

    private static readonly Dictionary<string, OmopTable> TablesByName = CdmTables.All.ToDictionary(t => t.Name, StringComparer.Ordinal);

    private static OmopTable TableNamed(string name) => TablesByName[name];

    private static readonly Dictionary<OmopTable, int> ReferencedIndex =
        CdmForeignKeys.ReferencedTables.Select((t, i) => (t, i)).ToDictionary<(OmopTable t, int i), OmopTable, int>(p => p.t, p => p.i, ReferenceEqualityComparer.Instance);

    /// <summary>Per referenced table, the positions (in <see cref="CdmForeignKeys.Of"/>) of its required references:
    /// at most two (visit_detail: person and visit), which is what <see cref="ReferencedRow"/> holds.</summary>
    private static readonly int[][] RequiredReferences = CdmForeignKeys.ReferencedTables.Select(t =>
    {
        var required = CdmForeignKeys.Of(t).Select((fk, i) => (fk, i)).Where(p => p.fk.Required).Select(p => p.i).ToArray();
        return required.Length <= 2 ? required : throw new InvalidOperationException($"{t.Name} has more required references than the integrity pass holds.");
    }).ToArray();

    private static ReferencedRow ReferencedRowOf(int table, StagedRowKey row, long sequence)
    {
        var required = RequiredReferences[table];
        long first = 0, second = 0;
        var present = 0;
        if (required.Length > 0 && row.References[required[0]] is long a) (first, present) = (a, present | 1);
        if (required.Length > 1 && row.References[required[1]] is long b) (second, present) = (b, present | 2);
        return new ReferencedRow(row.Key, sequence, first, second, table, present);
    }

    /// <summary>Adds a referenced row's key when each required reference it has names a key already added.</summary>
    private void AddIfKept(ReferencedRow row)
    {
        var table = CdmForeignKeys.ReferencedTables[row.Table];
        var fks = CdmForeignKeys.Of(table);
        var required = RequiredReferences[row.Table];
        if ((row.Present & 1) != 0 && !_keys.Contains(fks[required[0]].Target, row.First)) return;
        if ((row.Present & 2) != 0 && !_keys.Contains(fks[required[1]].Target, row.Second)) return;
        _keys.Add(table, row.Key);
    }

    private void Count(string table, string column, string reason) =>
        _corrections[(table, column, reason)] = _corrections.GetValueOrDefault((table, column, reason)) + 1;

    private static HashSet<long> SetOf(Dictionary<string, HashSet<long>> sets, string table) =>
        sets.TryGetValue(table, out var set) ? set : sets[table] = [];

    private readonly record struct Verdict(bool Drop, string? Column, string? Reason, long NullMask)
    {
        public bool Changes => Drop || NullMask != 0;
    }

    /// <summary>The row that stays for a duplicated key: newest lastUpdated, else later file, else later line.</summary>
    private readonly record struct Winner(long LastUpdatedTicks, int File, long Line, long Ordinal)
    {
        public bool Beats(Winner other) =>
            LastUpdatedTicks != other.LastUpdatedTicks ? LastUpdatedTicks > other.LastUpdatedTicks
            : File != other.File ? File > other.File
            : Line != other.Line ? Line > other.Line
            : Ordinal > other.Ordinal;
    }

    /// <summary>One file's parts per table in write order, with the ordinal of each part's first row.</summary>
    private sealed class FileParts(int index, string? stagedPath, IReadOnlyList<PartOutput> parts)
    {
        private readonly Dictionary<string, List<(PartOutput Part, long Start)>> _byTable = parts
            .GroupBy(p => p.Table, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g =>
            {
                long start = 0;
                var list = new List<(PartOutput, long)>();
                foreach (var p in g.OrderBy(p => LakePaths.PartNumber(p.Path)))
                {
                    list.Add((p, start));
                    start += p.Rows;
                }
                return list;
            }, StringComparer.Ordinal);

        public int Index { get; } = index;
        /// <summary>Null when the file wrote no keyed row (or ran before row keys were staged): nothing to check.</summary>
        public string? StagedPath { get; } = stagedPath;

        public IReadOnlyList<(PartOutput Part, long Start)> Parts(string table) => _byTable.TryGetValue(table, out var list) ? list : [];

        public int PartOf(string table, long ordinal)
        {
            var list = Parts(table);
            for (var i = list.Count - 1; i >= 0; i--)
            {
                if (ordinal >= list[i].Start) return i;
            }
            throw new InvalidDataException($"A staged {table} row of file {Index} has no part.");
        }
    }
}
