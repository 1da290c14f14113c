using System.Collections.Concurrent;
using System.Threading.Channels;
using Ingestion.Omop;
using Ingestion.Parquet;
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
/// <item>preceding_visit_occurrence_id from every visit of the committed view (<see cref="PrecedingVisitPass"/>: the
/// visits sorted on disk, not held); an earlier run's visit whose predecessor this run changed is written again
/// (<see cref="ReemitStaleVisitsAsync"/>).</item>
/// </list>
/// Only the parts holding such a row are rewritten, each to <see cref="LakePaths.RewrittenPart"/> (deterministic, so a
/// re-delivered reduce rewrites the same objects from the untouched originals; the publisher drops the originals).
/// Memory grows with the referenced tables' key sets, not with event rows: the run's row keys, referenced rows and
/// visits (with their persons, starts and predecessors) pass through spilled sorts
/// (<see cref="SpilledSort{T, TComparer}"/>), sorted runs on disk merged. The staged row keys are binary records read in blocks (<see cref="RowKeyStaging"/>); the rewrite is column-wise (a
/// row group's columns read once, the surviving rows' indexes kept, their values copied to our writer) and runs
/// several parts at once (<see cref="PipelineOptions.MaxParallelFiles"/>); the parts holding deferred rows go one after
/// the other, so the pending rows keep their order.
/// </summary>
internal sealed class ReferentialIntegrityPass(ILake lake, PipelineOptions options)
{
    private static readonly int VisitPersonReference = CdmForeignKeys.Of(CdmTables.VisitOccurrence).ToList().FindIndex(fk => fk.Column == "person_id");
    private static readonly int VisitTable = RowKeyStaging.IndexOf(CdmTables.VisitOccurrence);

    /// <summary>The file index of the previous run's pending rows: before every file of this run.</summary>
    private const int PendingFile = -1;

    private readonly RunKeySets _keys = new();
    private readonly Dictionary<(int File, int Table, long Ordinal), StagedRowKey> _deferred = [];
    // Per table index (CdmTables.All): the keys that occur twice, and the winning row of each.
    private readonly HashSet<long>?[] _duplicateKeys = new HashSet<long>?[CdmTables.All.Count];
    private readonly Dictionary<long, Winner>?[] _winners = new Dictionary<long, Winner>?[CdmTables.All.Count];
    private readonly Dictionary<(string Table, string Column, string Reason), long> _corrections = [];
    private readonly Dictionary<string, long> _duplicates = new(StringComparer.Ordinal);
    // Per table index, per reference (CdmForeignKeys.Of order): the key set the reference must name a key of.
    private RowKeySet[][] _targets = [];

    /// <summary>Keys that exist in the committed view after the pass: what the reduce outputs may reference. Complete
    /// once <see cref="KeysComplete"/> is (only read after that).</summary>
    public RunKeySets Keys => _keys;

    /// <summary>Completes when <see cref="Keys"/> holds every key of the committed view (after pass 1; the rest of the
    /// pass only reads them), so the reduce's per-person writes run beside the pass's later passes; fails if the pass
    /// fails first. From then on the pass's counts are shared with <see cref="KeepKnownPerson"/> (other threads), so
    /// both take <c>_gate</c>.</summary>
    public Task KeysComplete => _keysComplete.Task;

    private readonly TaskCompletionSource _keysComplete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guards the counts and checks once the reduce's per-person writes run beside the pass (KeysComplete).
    private readonly object _gate = new();

    public ForeignKeyChecks Checks { get; private set; } = null!;

    /// <summary>
    /// True for a reduce row (observation_period, an era, death) of a person the committed view holds; the others are
    /// dropped and counted (a period or era of a person whose Patient was quarantined), the kept ones foreign-key
    /// checked. Thread-safe; call once <see cref="KeysComplete"/> has completed.
    /// </summary>
    public bool KeepKnownPerson(OmopTable table, CdmForeignKey person, object?[] row)
    {
        lock (_gate)
        {
            if (!_keys.Contains(CdmTables.Person, (long)row[person.Index]!))
            {
                Count(_corrections, table.Name, person.Column, IntegrityCorrection.RowExcluded);
                return false;
            }
            Checks.Observe(table, row);
            return true;
        }
    }

    /// <param name="previousRunId">The source's previous published run, for an incremental run (its merged keys and
    /// pending rows join this run's); null for a full run.</param>
    /// <param name="latestRunId">The source's latest published run: a full run counts its pending rows as dropped.</param>
    public async Task<IReadOnlyList<PartOutput>> RunAsync(string runId, IReadOnlyList<ActivityState> activities, string? previousRunId, string? latestRunId,
        List<string> replaced, CancellationToken cancellationToken)
    {
        try
        {
            return await RunPassesAsync(runId, activities, previousRunId, latestRunId, replaced, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A caller waiting for the keys is not left waiting.
            _keysComplete.TrySetException(e);
            throw;
        }
    }

    private async Task<IReadOnlyList<PartOutput>> RunPassesAsync(string runId, IReadOnlyList<ActivityState> activities, string? previousRunId, string? latestRunId,
        List<string> replaced, CancellationToken cancellationToken)
    {
        Checks = new ForeignKeyChecks(_keys.Contains);
        _targets = RowKeyStaging.References.Select(fks => fks.Select(fk => _keys.SetOf(fk.Target)).ToArray()).ToArray();
        var files = activities.Where(a => a.Result is not null).OrderBy(a => a.Index).Select(a => new FileParts(a.Index, a.Result!.RowKeysPath, a.Result.Parts)).ToList();
        await using var visits = new PrecedingVisitPass(options);
        if (previousRunId is not null) await _keys.AddMergedAsync(lake, previousRunId, visits, cancellationToken).ConfigureAwait(false);
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
            // A block at a time: one await per block, not a state machine per row.
            await ForEachStagedBlockAsync(files, async (_, rows, count) =>
            {
                for (var i = 0; i < count; i++)
                {
                    await keys.AddAsync(new TableKey(rows[i].Key, rows[i].TableIndex), cancellationToken).ConfigureAwait(false);
                    var table = ReferencedIndex[rows[i].TableIndex];
                    if (table >= 0)
                        await referenced.AddAsync(ReferencedRowOf(table, rows[i], sequence++), cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
            // The two sorts are independent (duplicate keys; the referenced tables' keys): merged on two threads.
            await Task.WhenAll(Task.Run(() => FindDuplicatesAsync(keys, cancellationToken), CancellationToken.None),
                Task.Run(() => AddReferencedKeysAsync(referenced, cancellationToken), CancellationToken.None)).ConfigureAwait(false);
        }
        _keysComplete.TrySetResult();
        // Every merged key but the visits' is final now: staged beside the rest of the pass, not after it on one core.
        var mergedKeys = Task.Run(() => _keys.WriteMergedKeysAsync(lake, runId, cancellationToken), CancellationToken.None);
        IReadOnlyList<PartOutput> rewritten;
        try
        {
            rewritten = await JudgeAndRewriteAsync(runId, files, visits, replaced, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not left running past the pass; the pass's failure is the one reported.
            await mergedKeys.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        await mergedKeys.ConfigureAwait(false);
        return rewritten;
    }

    /// <summary>Passes 2 and 3, the preceding visits and the rewrites (after pass 1: the keys are complete).</summary>
    private async Task<IReadOnlyList<PartOutput>> JudgeAndRewriteAsync(string runId, List<FileParts> files, PrecedingVisitPass visits, List<string> replaced,
        CancellationToken cancellationToken)
    {
        // Pass 2: the winner of each duplicated key.
        if (Array.Exists(_duplicateKeys, d => d is not null))
        {
            await ForEachStagedAsync(files, (FileParts file, in StagedRowKey row, long ordinal) =>
            {
                if (_duplicateKeys[row.TableIndex] is not { } keys || !keys.Contains(row.Key)) return;
                var candidate = new Winner(row.LastUpdatedTicks, file.Index, row.Line, ordinal);
                var winners = _winners[row.TableIndex] ??= [];
                if (!winners.TryGetValue(row.Key, out var current) || candidate.Beats(current)) winners[row.Key] = candidate;
            }, cancellationToken).ConfigureAwait(false);
        }

        // Pass 3: the parts holding a row to drop or change; the run's surviving visits and their parts; and the
        // foreign-key check of every row, counted per part and reference (not per row through the checks' named
        // slots), so the parts left as they are add theirs below without another pass over the staged rows. Files are
        // judged in parallel (the state they read is complete), each on its own tally, merged in file order.
        var dirty = new HashSet<PartKey>();
        // Parts holding a deferred row: rewritten one after the other (their rows go to the pending parts in order).
        var deferring = new HashSet<PartKey>();
        // The run's surviving visits (one row per key by now) go to the preceding-visit sorts, each with its staged
        // visit row: the files' visit rows numbered in file order (the slot its predecessor comes back in), and its
        // part (an id per part in file order, not a string per visit).
        var visitRowsBefore = new Dictionary<int, long>();
        var visitPartsBefore = new Dictionary<int, int>();
        var runVisitParts = new List<PartKey>();
        long visitRows = 0;
        foreach (var file in files)
        {
            visitRowsBefore[file.Index] = visitRows;
            visitRows += file.Parts(VisitTable).Sum(p => p.Part.Rows);
            visitPartsBefore[file.Index] = runVisitParts.Count;
            for (var p = 0; p < file.Parts(VisitTable).Count; p++) runVisitParts.Add(new PartKey(file.Index, VisitTable, p));
        }
        var partChecks = new Dictionary<PartKey, (long Checked, long Dangling)[]>();
        var tallies = new JudgedFile[files.Count];
        using (var adding = new SemaphoreSlim(1, 1))
        {
            // One block buffer per file at once, reused from file to file: a block (4,096 rows of ~100 bytes) is a large
            // object, and a new one per file was most of the fan-in's large-object garbage and committed memory.
            var scratch = new ConcurrentBag<JudgeScratch>();
            await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelFiles), CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    var buffers = scratch.TryTake(out var reused) ? reused : new JudgeScratch();
                    tallies[i] = await JudgeFileAsync(files[i], visitRowsBefore[files[i].Index], visitPartsBefore[files[i].Index], visits, adding, buffers, token).ConfigureAwait(false);
                    scratch.Add(buffers);
                }).ConfigureAwait(false);
        }
        foreach (var tally in tallies)
        {
            dirty.UnionWith(tally.Dirty);
            deferring.UnionWith(tally.Deferring);
            foreach (var (table, ordinal, row) in tally.Deferred) _deferred[(tally.File, table, ordinal)] = row;
            foreach (var (part, slots) in tally.Checks) partChecks[part] = slots;
        }
        await visits.ComputeAsync(visitRows, cancellationToken).ConfigureAwait(false);
        // The key and visit sorts and pass 3's blocks are garbage now: the rewrites do not grow on top of their space.
        UnusedHeapMemory.ReturnIfLarge();
        if (visits.AnyRunVisitPreceded)
        {
            foreach (var file in files)
            {
                for (var p = 0; p < file.Parts(VisitTable).Count; p++) dirty.Add(new PartKey(file.Index, VisitTable, p));
            }
        }
        var byIndex = files.ToDictionary(f => f.Index);
        string TargetOf(PartKey part)
        {
            var file = byIndex[part.File];
            var table = CdmTables.All[part.Table].Name;
            return file.Index == PendingFile ? LakePaths.ReleasedPart(table, runId, part.Part)
                : LakePaths.RewrittenPart(table, runId, file.Index, LakePaths.PartNumber(file.Parts(part.Table)[part.Part].Part.Path));
        }
        // Where this run's visits are committed (for the next run's merged keys): one string per part.
        var runVisitPaths = runVisitParts.Select(p => dirty.Contains(p) ? TargetOf(p) : byIndex[p.File].Parts(VisitTable)[p.Part].Part.Path).ToArray();

        // The foreign-key check over the rows of the parts left as they are (the rewritten rows are checked as written).
        var untouched = partChecks.Where(kv => !dirty.Contains(kv.Key))
            .SelectMany(kv => RowKeyStaging.References[kv.Key.Table].Select((fk, i) => new ForeignKeyCheck(CdmTables.All[kv.Key.Table].Name, fk.Column, fk.Target.Name, kv.Value[i].Checked, kv.Value[i].Dangling)))
            .Where(c => c.RowsChecked > 0).ToList();
        lock (_gate) Checks.Add(untouched);

        // The earlier runs' visits written again and the committed view's visits staged for the next run need only the
        // predecessors: they run beside the rewrites (which leave a core idle at times), not after them on one core.
        using var stopVisits = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reemitted = new Dictionary<long, string>();
        var committedVisits = Task.Run(async () =>
        {
            var parts = await ReemitStaleVisitsAsync(runId, visits, reemitted, stopVisits.Token).ConfigureAwait(false);
            await RunKeySets.WriteMergedVisitsAsync(lake, runId, visits.CommittedAsync(part => runVisitPaths[part], reemitted, stopVisits.Token), stopVisits.Token).ConfigureAwait(false);
            return parts;
        }, CancellationToken.None);
        List<PartOutput> rewritten;
        try
        {
            // Rewrite: the dirty parts, column-wise, several at once; the rewritten rows are checked as written, the
            // deferred ones staged. Each part counts on its own tally, added in part order once all are written.
            var jobs = dirty.OrderBy(d => d.File).ThenBy(d => CdmTables.All[d.Table].Name, StringComparer.Ordinal).ThenBy(d => d.Part).ToList();
            var outputs = new (PartOutput Part, RewriteTally Tally)[jobs.Count];
            await using (var pendingWriter = new PendingRowsWriter(lake, runId, options))
            {
                async Task RewriteAtAsync(int i, CancellationToken token)
                {
                    var job = jobs[i];
                    var (original, start) = byIndex[job.File].Parts(job.Table)[job.Part];
                    var preceding = job.Table == VisitTable ? visits.OpenRows(visitRowsBefore[job.File] + start) : null;
                    await using (preceding)
                    {
                        outputs[i] = await RewriteAsync(CdmTables.All[job.Table], job.File, original, start, TargetOf(job), deferring.Contains(job) ? pendingWriter : null,
                            preceding, token).ConfigureAwait(false);
                    }
                }
                var ordered = Enumerable.Range(0, jobs.Count).Where(i => deferring.Contains(jobs[i])).ToList();
                var parallel = Enumerable.Range(0, jobs.Count).Where(i => !deferring.Contains(jobs[i])).ToList();
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var inOrder = Task.Run(async () =>
                {
                    foreach (var i in ordered) await RewriteAtAsync(i, stop.Token).ConfigureAwait(false);
                }, CancellationToken.None);
                var width = Math.Max(1, options.MaxParallelFiles - (ordered.Count > 0 ? 1 : 0));
                var others = Parallel.ForEachAsync(parallel, new ParallelOptions { MaxDegreeOfParallelism = width, CancellationToken = stop.Token }, (i, token) => new ValueTask(RewriteAtAsync(i, token)));
                try
                {
                    await Task.WhenAll(inOrder, others).ConfigureAwait(false);
                }
                catch
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                    throw;
                }
                await pendingWriter.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            rewritten = new List<PartOutput>(jobs.Count);
            for (var i = 0; i < jobs.Count; i++)
            {
                var (part, tally) = outputs[i];
                rewritten.Add(part);
                if (jobs[i].File != PendingFile) replaced.Add(byIndex[jobs[i].File].Parts(jobs[i].Table)[jobs[i].Part].Part.Path);
                AddTally(CdmTables.All[jobs[i].Table], tally);
            }
        }
        catch
        {
            await stopVisits.CancelAsync().ConfigureAwait(false);
            await ((Task)committedVisits).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        rewritten.AddRange(await committedVisits.ConfigureAwait(false));
        // The reduce after this pass needs only the keys and the checks: the duplicates' state goes now, before the
        // eras and observation periods build theirs (the visits' goes with their temporary files).
        _deferred.Clear();
        _deferred.TrimExcess();
        Array.Clear(_winners);
        Array.Clear(_duplicateKeys);
        return rewritten;
    }

    /// <summary>
    /// Pass 3 over one file's staged rows, read and decoded a block at a time: each row judged as the rewrite will; the
    /// file's dirty and deferring parts, deferred rows and per-part foreign-key checks on its own tally; its surviving
    /// visits added to <paramref name="visits"/> a block at a time (under <paramref name="adding"/>: files run at once).
    /// Reads the pass's state only (complete after passes 1 and 2).
    /// </summary>
    private async Task<JudgedFile> JudgeFileAsync(FileParts file, long visitRowsBefore, int visitPartsBefore, PrecedingVisitPass visits, SemaphoreSlim adding,
        JudgeScratch scratch, CancellationToken cancellationToken)
    {
        var tally = new JudgedFile(file.Index);
        if (file.StagedPath is null) return tally;
        await using var reader = await RowKeyStaging.OpenAsync(lake, file.StagedPath, cancellationToken).ConfigureAwait(false);
        if (reader is null) return tally;
        var rows = scratch.Rows;
        var ordinals = new long[CdmTables.All.Count];
        // Per table, the part its last row was in and that part's check slots: a table's rows run part after part, so
        // the tally's dictionary is asked once per part, not once per row.
        var slotsPart = new int[CdmTables.All.Count];
        Array.Fill(slotsPart, -1);
        var partSlots = new (long Checked, long Dangling)[]?[CdmTables.All.Count];
        var surviving = scratch.Surviving;
        surviving.Clear();
        int count;
        while ((count = await reader.ReadAsync(rows, cancellationToken).ConfigureAwait(false)) > 0)
        {
            for (var r = 0; r < count; r++)
            {
                ref readonly var row = ref rows[r];
                var ordinal = ordinals[row.TableIndex]++;
                var verdict = Judge(row.TableIndex, row.Key, file.Index, ordinal, row.Present, row.References);
                var part = new PartKey(file.Index, row.TableIndex, file.PartOf(row.TableIndex, ordinal));
                // Pending parts live in staging: every one is rewritten into the run's folder (or pending again).
                if (verdict.Changes || file.Index == PendingFile) tally.Dirty.Add(part);
                if (verdict.Reason == IntegrityCorrection.Deferred)
                {
                    tally.Deferred.Add((row.TableIndex, ordinal, row));
                    tally.Deferring.Add(part);
                }
                if (!verdict.Drop && row.TableIndex == VisitTable)
                    surviving.Add((row.Key, row.Reference(VisitPersonReference)!.Value, row.StartTicks, visitRowsBefore + ordinal, visitPartsBefore + part.Part));
                var targets = _targets[row.TableIndex];
                if (targets.Length == 0) continue;
                if (slotsPart[row.TableIndex] != part.Part)
                {
                    if (!tally.Checks.TryGetValue(part, out var found)) tally.Checks[part] = found = new (long, long)[targets.Length];
                    slotsPart[row.TableIndex] = part.Part;
                    partSlots[row.TableIndex] = found;
                }
                var slots = partSlots[row.TableIndex]!;
                for (var i = 0; i < targets.Length; i++)
                {
                    if (row.Reference(i) is not long key) continue;
                    slots[i].Checked++;
                    if (!targets[i].Contains(key)) slots[i].Dangling++;
                }
            }
            if (surviving.Count == 0) continue;
            // A block's visits at a time (a block's worth held, not the file's).
            await adding.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var (visit, person, start, row, part) in surviving)
                    await visits.AddRunAsync(visit, person, start, row, part, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                adding.Release();
            }
            surviving.Clear();
        }
        return tally;
    }

    private async Task FindDuplicatesAsync(SpilledSort<TableKey, TableKeyOrder> keys, CancellationToken cancellationToken)
    {
        TableKey? previous = null;
        await foreach (var key in keys.SortedAsync(cancellationToken).ConfigureAwait(false))
        {
            if (previous == key) (_duplicateKeys[key.Table] ??= []).Add(key.Key);
            previous = key;
        }
    }

    /// <summary>In dependency order, so a visit counts only when its person does, a visit detail only when its visit
    /// does; of the rows of one key, the last staged decides (the later row of a key replaces the earlier).</summary>
    private async Task AddReferencedKeysAsync(SpilledSort<ReferencedRow, ReferencedRowOrder> referenced, CancellationToken cancellationToken)
    {
        ReferencedRow? last = null;
        await foreach (var row in referenced.SortedAsync(cancellationToken).ConfigureAwait(false))
        {
            if (last is { } l && (l.Table != row.Table || l.Key != row.Key)) AddIfKept(l);
            last = row;
        }
        if (last is { } final) AddIfKept(final);
    }

    /// <summary>
    /// An earlier run's visit whose predecessor changed because this run brought a visit of the same person that
    /// starts before it (or moved or removed one): its committed row, read back from the part the merged keys name, is
    /// written again by this run with the new preceding_visit_occurrence_id (newest run wins in the committed view);
    /// <paramref name="reemitted"/> gets where. A visit staged before part locations were (no part known) keeps its
    /// stale value and is counted as such.
    /// </summary>
    private async Task<IReadOnlyList<PartOutput>> ReemitStaleVisitsAsync(string runId, PrecedingVisitPass visits, Dictionary<long, string> reemitted,
        CancellationToken cancellationToken)
    {
        var table = CdmTables.VisitOccurrence;
        const string column = "preceding_visit_occurrence_id";
        if (visits.StaleWithoutPart > 0)
        {
            lock (_gate) _corrections[(table.Name, column, IntegrityCorrection.PrecedingStale)] = _corrections.GetValueOrDefault((table.Name, column, IntegrityCorrection.PrecedingStale)) + visits.StaleWithoutPart;
        }
        if (visits.Stale.Count == 0) return [];
        var tally = new RewriteTally(RowKeyStaging.References[VisitTable].Length);
        var one = new int[1];
        await using var writer = new TablePartWriter(lake, table, part => LakePaths.ReducedPart(table.Name, runId, part), options);
        foreach (var (path, stale) in visits.Stale.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            await foreach (var rows in TablePartReader.ReadRowGroupsAsync(lake, table, path, cancellationToken).ConfigureAwait(false))
            {
                var selected = SetPreceding(rows, stale);
                foreach (var row in selected)
                {
                    reemitted[rows.Int64s(0)[row]] = writer.NextRowPath;
                    one[0] = row;
                    await writer.WriteAsync(rows, one, cancellationToken).ConfigureAwait(false);
                    lock (_gate) Count(_corrections, table.Name, column, IntegrityCorrection.Reemitted);
                }
                tally.Observe(rows, selected, RowKeyStaging.References[VisitTable], _targets[VisitTable]);
            }
        }
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        AddTally(table, tally);
        return writer.Parts;
    }

    /// <summary>The rows of <paramref name="rows"/> whose visit is in <paramref name="visits"/>, their preceding visit set.</summary>
    private static List<int> SetPreceding(ParquetColumnBatch rows, Dictionary<long, long?> visits)
    {
        var selected = new List<int>();
        for (var row = 0; row < rows.RowCount; row++)
        {
            if (visits.TryGetValue(rows.Int64s(0)[row], out var preceding))
            {
                SetPrecedingOf(rows, row, preceding);
                selected.Add(row);
            }
        }
        return selected;
    }

    private static void SetPrecedingOf(ParquetColumnBatch rows, int row, long? preceding)
    {
        var index = PrecedingVisitChain.PrecedingIndex;
        rows.Nulls(index)[row] = preceding is null;
        rows.Int64s(index)[row] = preceding ?? 0;
    }

    public IntegrityResult Result(IReadOnlyList<string> replaced) => new()
    {
        ReplacedParts = replaced.Order(StringComparer.Ordinal).ToList(),
        Corrections = _corrections.OrderBy(kv => kv.Key.Table, StringComparer.Ordinal).ThenBy(kv => kv.Key.Column, StringComparer.Ordinal).ThenBy(kv => kv.Key.Reason, StringComparer.Ordinal)
            .Select(kv => new IntegrityCorrection(kv.Key.Table, kv.Key.Column, kv.Key.Reason, kv.Value)).ToList(),
        DuplicateRowsByTable = new SortedDictionary<string, long>(_duplicates, StringComparer.Ordinal),
        ForeignKeys = Checks.Results(),
    };

    /// <summary>
    /// Rewrites one part column-wise: per row group, every column read once (<see cref="TablePartReader"/>); each row
    /// judged from its key and reference columns as in pass 3; the dangling optional references nulled and a visit's
    /// preceding visit set in the columns; the surviving rows' indexes kept and their values copied to the target part.
    /// Runs beside other parts' rewrites: it reads the pass's state and counts on its own tally only. Deferred rows go to
    /// <paramref name="pending"/> (given only for the parts that hold some, which run one at a time).
    /// </summary>
    private async Task<(PartOutput, RewriteTally)> RewriteAsync(OmopTable table, int fileIndex, PartOutput original, long start, string target,
        PendingRowsWriter? pending, PrecedingRows? preceding, CancellationToken cancellationToken)
    {
        var slots = Array.Empty<PrecedingSlot>();
        var tableIndex = RowKeyStaging.IndexOf(table);
        var tally = new RewriteTally(RowKeyStaging.References[tableIndex].Length);
        await using var writer = new TablePartWriter(lake, table, _ => target, options);
        var ordinal = start;
        await foreach (var rows in TablePartReader.ReadRowGroupsAsync(lake, table, original.Path, cancellationToken).ConfigureAwait(false))
        {
            if (preceding is not null)
            {
                if (slots.Length < rows.RowCount) slots = new PrecedingSlot[rows.RowCount];
                await preceding.ReadAsync(slots, rows.RowCount, cancellationToken).ConfigureAwait(false);
            }
            var (kept, deferred) = Filter(tableIndex, fileIndex, ordinal, rows, preceding is null ? null : slots, tally);
            foreach (var (row, column) in deferred)
            {
                var key = _deferred[(fileIndex, tableIndex, ordinal + row)];
                await (pending ?? throw new InvalidOperationException("A part with deferred rows was rewritten without the pending writer."))
                    .WriteAsync(table, column, rows, row, key, cancellationToken).ConfigureAwait(false);
            }
            ordinal += rows.RowCount;
            tally.Observe(rows, kept, RowKeyStaging.References[tableIndex], _targets[tableIndex]);
            await writer.WriteAsync(rows, kept.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        // An empty part rather than none, so the table's folder still reads.
        await writer.CompleteAsync(cancellationToken, emptyPartWhenNoRows: true).ConfigureAwait(false);
        return (writer.Parts.Single(), tally);
    }

    /// <summary>Judges each row of one row group (rows <paramref name="ordinal"/>.. of its file's table): returns the
    /// rows kept and the rows deferred (with the reference that decided), counting drops and nulls on the tally and
    /// changing the kept rows' columns in place (a visit's preceding visit from <paramref name="preceding"/>, per row).</summary>
    private (List<int> Kept, List<(int Row, string Column)> Deferred) Filter(int tableIndex, int fileIndex, long ordinal, ParquetColumnBatch rows,
        PrecedingSlot[]? preceding, RewriteTally tally)
    {
        var table = CdmTables.All[tableIndex];
        var fks = RowKeyStaging.References[tableIndex];
        var count = rows.RowCount;
        // The key and reference columns, read once into arrays (a span cannot be held per column).
        var keys = rows.Int64s(0).ToArray();
        var values = new long[fks.Length][];
        var nulls = new bool[]?[fks.Length];
        for (var i = 0; i < fks.Length; i++)
        {
            values[i] = rows.Int64s(fks[i].Index).ToArray();
            nulls[i] = fks[i].Required ? null : rows.Nulls(fks[i].Index).ToArray();
        }
        var kept = new List<int>(count);
        var deferred = new List<(int, string)>();
        for (var row = 0; row < count; row++)
        {
            var present = 0;
            var references = default(StagedReferences);
            for (var i = 0; i < fks.Length; i++)
            {
                if (nulls[i]?[row] == true) continue;
                present |= 1 << i;
                references[i] = values[i][row];
            }
            var verdict = Judge(tableIndex, keys[row], fileIndex, ordinal + row, present, references);
            if (verdict.Reason == IntegrityCorrection.Deferred) deferred.Add((row, verdict.Column!));
            if (verdict.Drop)
            {
                tally.Count(table.Name, verdict.Column!, verdict.Reason!);
                if (verdict.Reason == IntegrityCorrection.Duplicate) tally.Duplicates++;
                continue;
            }
            for (var i = 0; i < fks.Length; i++)
            {
                if ((verdict.NullMask & (1L << i)) == 0) continue;
                rows.Nulls(fks[i].Index)[row] = true;
                tally.Count(table.Name, fks[i].Column, IntegrityCorrection.Nulled);
            }
            if (preceding is not null) SetPrecedingOf(rows, row, preceding[row].Present != 0 ? preceding[row].Preceding : null);
            if (fileIndex == PendingFile) tally.Count(table.Name, "person_id", IntegrityCorrection.Released);
            kept.Add(row);
        }
        return (kept, deferred);
    }

    /// <summary>What happens to one row: dropped (a losing duplicate, or a required reference dangles), or kept with
    /// the dangling optional references (bit i = reference i) nulled. Decided the same way from the staged keys and
    /// from the part's columns.</summary>
    private Verdict Judge(int table, long key, int fileIndex, long ordinal, int present, in StagedReferences references)
    {
        if (_winners[table] is { } winners && winners.TryGetValue(key, out var winner) && (winner.File != fileIndex || winner.Ordinal != ordinal))
            return new Verdict(true, CdmTables.All[table].Columns[0].Name, IntegrityCorrection.Duplicate, 0);
        var fks = RowKeyStaging.References[table];
        var targets = _targets[table];
        long mask = 0;
        for (var i = 0; i < fks.Length; i++)
        {
            if ((present & (1 << i)) == 0 || targets[i].Contains(references[i])) continue;
            if (fks[i].Required) return new Verdict(true, fks[i].Column, IntegrityCorrection.Deferred, 0);
            mask |= 1L << i;
        }
        return new Verdict(false, null, null, mask);
    }

    /// <summary>Adds one rewrite's counts to the pass's (after the parallel rewrites, in part order).</summary>
    private void AddTally(OmopTable table, RewriteTally tally)
    {
        lock (_gate) AddTallyLocked(table, tally);
    }

    private void AddTallyLocked(OmopTable table, RewriteTally tally)
    {
        foreach (var ((t, column, reason), rows) in tally.Corrections) _corrections[(t, column, reason)] = _corrections.GetValueOrDefault((t, column, reason)) + rows;
        if (tally.Duplicates > 0) _duplicates[table.Name] = _duplicates.GetValueOrDefault(table.Name) + tally.Duplicates;
        var fks = CdmForeignKeys.Of(table);
        Checks.Add(fks.Select((fk, i) => new ForeignKeyCheck(table.Name, fk.Column, fk.Target.Name, tally.Checked[i], tally.Dangling[i])).Where(c => c.RowsChecked > 0));
    }

    private delegate void StagedRowVisitor(FileParts file, in StagedRowKey row, long ordinal);

    /// <summary>Visits every staged row of the files in file and write order, with its ordinal in its file's table.</summary>
    private Task ForEachStagedAsync(List<FileParts> files, StagedRowVisitor visit, CancellationToken cancellationToken)
    {
        FileParts? current = null;
        var ordinals = new long[CdmTables.All.Count];
        return ForEachStagedBlockAsync(files, (file, rows, count) =>
        {
            if (!ReferenceEquals(file, current))
            {
                current = file;
                Array.Clear(ordinals);
            }
            for (var i = 0; i < count; i++) visit(file, rows[i], ordinals[rows[i].TableIndex]++);
            return ValueTask.CompletedTask;
        }, cancellationToken);
    }

    /// <summary>
    /// Visits the staged rows of the files in file and write order, a block of decoded rows at a time (rows 0..count-1
    /// of the array, which is reused once the visit returns). The staged files are read and decoded on another thread,
    /// a bounded number of blocks ahead, while the visits run on this one in order (they decide ties and are not
    /// thread-safe): memory is bounded and nothing is allocated per row.
    /// </summary>
    private async Task ForEachStagedBlockAsync(List<FileParts> files, Func<FileParts, StagedRowKey[], int, ValueTask> visit, CancellationToken cancellationToken)
    {
        var batches = Channel.CreateBounded<(FileParts File, StagedRowKey[] Rows, int Count)>(new BoundedChannelOptions(PrefetchBatches) { SingleReader = true, SingleWriter = true });
        // Two writers: the visits return blocks, the reader returns the one a file's end left empty.
        var free = Channel.CreateUnbounded<StagedRowKey[]>(new UnboundedChannelOptions { SingleReader = true });
        for (var i = 0; i < PrefetchBatches + 2; i++) free.Writer.TryWrite(new StagedRowKey[BatchRows]);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(() => ReadStagedAsync(files, batches.Writer, free, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var (file, rows, count) in batches.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await visit(file, rows, count).ConfigureAwait(false);
                free.Writer.TryWrite(rows);
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

    private async Task ReadStagedAsync(List<FileParts> files, ChannelWriter<(FileParts File, StagedRowKey[] Rows, int Count)> batches,
        Channel<StagedRowKey[]> free, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var file in files)
            {
                if (file.StagedPath is null) continue;
                await using var reader = await RowKeyStaging.OpenAsync(lake, file.StagedPath, cancellationToken).ConfigureAwait(false);
                if (reader is null) continue;
                while (true)
                {
                    var rows = await free.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var count = await reader.ReadAsync(rows, cancellationToken).ConfigureAwait(false);
                    if (count == 0)
                    {
                        free.Writer.TryWrite(rows);
                        break;
                    }
                    await batches.WriteAsync((file, rows, count), cancellationToken).ConfigureAwait(false);
                }
            }
            batches.Complete();
        }
        catch (Exception e)
        {
            batches.Complete(e);
        }
    }

    private static readonly Dictionary<string, int> TableIndexByName = CdmTables.All.Select((t, i) => (t, i)).ToDictionary(p => p.t.Name, p => p.i, StringComparer.Ordinal);

    /// <summary>Per table index, its index in <see cref="CdmForeignKeys.ReferencedTables"/>; -1 for the others.</summary>
    private static readonly int[] ReferencedIndex = CdmTables.All.Select(t => CdmForeignKeys.ReferencedTables.ToList().IndexOf(t)).ToArray();

    /// <summary>Per referenced table, the positions (in <see cref="CdmForeignKeys.Of"/>) of its required references:
    /// at most two (visit_detail: person and visit), which is what <see cref="ReferencedRow"/> holds.</summary>
    private static readonly int[][] RequiredReferences = CdmForeignKeys.ReferencedTables.Select(t =>
    {
        var required = CdmForeignKeys.Of(t).Select((fk, i) => (fk, i)).Where(p => p.fk.Required).Select(p => p.i).ToArray();
        return required.Length <= 2 ? required : throw new InvalidOperationException($"{t.Name} has more required references than the integrity pass holds.");
    }).ToArray();

    private static ReferencedRow ReferencedRowOf(int table, in StagedRowKey row, long sequence)
    {
        var required = RequiredReferences[table];
        long first = 0, second = 0;
        var present = 0;
        if (required.Length > 0 && row.Reference(required[0]) is long a) (first, present) = (a, present | 1);
        if (required.Length > 1 && row.Reference(required[1]) is long b) (second, present) = (b, present | 2);
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

    private static void Count(Dictionary<(string Table, string Column, string Reason), long> counts, string table, string column, string reason) =>
        counts[(table, column, reason)] = counts.GetValueOrDefault((table, column, reason)) + 1;

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

    /// <summary>The buffers one <see cref="JudgeFileAsync"/> reads into, handed from file to file.</summary>
    private sealed class JudgeScratch
    {
        public StagedRowKey[] Rows { get; } = new StagedRowKey[BatchRows];
        public List<(long Visit, long Person, long Start, long Row, int Part)> Surviving { get; } = new(BatchRows);
    }

    /// <summary>What pass 3 found in one file (<see cref="JudgeFileAsync"/>).</summary>
    private sealed class JudgedFile(int file)
    {
        public int File { get; } = file;
        public HashSet<PartKey> Dirty { get; } = [];
        public HashSet<PartKey> Deferring { get; } = [];
        public List<(int Table, long Ordinal, StagedRowKey Row)> Deferred { get; } = [];
        public Dictionary<PartKey, (long Checked, long Dangling)[]> Checks { get; } = [];
    }

    /// <summary>One part of one file's table (table index in <see cref="CdmTables.All"/>, part in write order).</summary>
    private readonly record struct PartKey(int File, int Table, int Part);

    /// <summary>What one part's rewrite counted: corrections, duplicates dropped, and the foreign-key check of the rows
    /// it wrote (per reference, <see cref="CdmForeignKeys.Of"/> order).</summary>
    private sealed class RewriteTally(int references)
    {
        public Dictionary<(string Table, string Column, string Reason), long> Corrections { get; } = [];
        public long Duplicates { get; set; }
        public long[] Checked { get; } = new long[references];
        public long[] Dangling { get; } = new long[references];

        public void Count(string table, string column, string reason) => ReferentialIntegrityPass.Count(Corrections, table, column, reason);

        /// <summary>Checks every non-null reference of the rows written, column by column.</summary>
        public void Observe(ParquetColumnBatch rows, List<int> written, CdmForeignKey[] fks, RowKeySet[] targets)
        {
            for (var i = 0; i < fks.Length; i++)
            {
                var values = rows.Int64s(fks[i].Index);
                var nulls = fks[i].Required ? default : rows.Nulls(fks[i].Index);
                foreach (var row in written)
                {
                    if (!nulls.IsEmpty && nulls[row]) continue;
                    Checked[i]++;
                    if (!targets[i].Contains(values[row])) Dangling[i]++;
                }
            }
        }
    }

    /// <summary>One file's parts per table (index in <see cref="CdmTables.All"/>) in write order, with the ordinal of
    /// each part's first row.</summary>
    private sealed class FileParts
    {
        private readonly List<(PartOutput Part, long Start)>[] _byTable = new List<(PartOutput Part, long Start)>[CdmTables.All.Count];

        public FileParts(int index, string? stagedPath, IReadOnlyList<PartOutput> parts)
        {
            Index = index;
            StagedPath = stagedPath;
            foreach (var group in parts.GroupBy(p => p.Table, StringComparer.Ordinal))
            {
                long start = 0;
                var list = new List<(PartOutput, long)>();
                foreach (var p in group.OrderBy(p => LakePaths.PartNumber(p.Path)))
                {
                    list.Add((p, start));
                    start += p.Rows;
                }
                _byTable[TableIndexByName[group.Key]] = list;
            }
        }

        public int Index { get; }
        /// <summary>Null when the file wrote no keyed row (or ran before row keys were staged): nothing to check.</summary>
        public string? StagedPath { get; }

        public IReadOnlyList<(PartOutput Part, long Start)> Parts(int table) => _byTable[table] ?? [];

        public int PartOf(int table, long ordinal)
        {
            var list = Parts(table);
            for (var i = list.Count - 1; i >= 0; i--)
            {
                if (ordinal >= list[i].Start) return i;
            }
            throw new InvalidDataException($"A staged {CdmTables.All[table].Name} row of file {Index} has no part.");
        }
    }
}
