using System.Text.Json;
using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.State;
using Ingestion.Privacy;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The OMOP fan-in: observation_period from every file's staged person date bounds (one period per person, earliest
/// to latest event), and the one-row cdm_source. An incremental run (since) starts from the bounds of the source's
/// previous published run, so its periods span every event of the chain since the last full run (min of starts, max
/// of ends) and the committed view (newest run per key) equals a full run's. Also condition_era and drug_era from
/// the staged era events, one person at a time (<see cref="EraEventsReduce"/>), and death merged per person
/// (<see cref="DeathStaging"/>). Memory grows with the number of persons (their date bounds), not with the events.
/// First the referential-integrity pass (<see cref="ReferentialIntegrityPass"/>): one row per key, no dangling
/// reference, preceding visits; it rewrites the file parts concerned and its rewritten parts are returned with the
/// reduce outputs. The staging reads run beside it, and the three reduces' writes beside each other and beside the pass
/// once it has the committed view's keys (<see cref="ReferentialIntegrityPass.KeysComplete"/>).
/// </summary>
public sealed class OmopRunReducer(ILake lake, IDeidentifier deidentifier, Func<RunState, CdmSourceFacts> cdmSource, PipelineOptions options,
    IVocabulary? vocabulary = null) : IRunReducer
{
    public async Task<IReadOnlyList<PartOutput>> ReduceAsync(RunState run, IReadOnlyList<ActivityState> activities, CancellationToken cancellationToken)
    {
        // The file activities' garbage (parse buffers, documents, row batches) is dead: the fan-in starts from the live
        // heap, not on top of the files' committed space (docs/benchmarks.md, "After mem").
        UnusedHeapMemory.Return();
        var runId = run.InstanceId;
        var latestRunId = (await PublishedRuns.LatestAsync(lake, run.Input.SourceId, runId, cancellationToken).ConfigureAwait(false))?.RunId;
        var previousRunId = run.EffectiveSince is null ? null : latestRunId;
        // drug_era per RxNorm ingredient (the vocabulary's concept_ancestor links); without a vocabulary, per drug concept.
        await using var eras = new EraEventsReduce(lake, deidentifier, vocabulary is null ? null : new DrugIngredients(vocabulary), options);
        // The staged person dates, deaths and era events are read, merged and sorted on another core while the
        // integrity pass runs: none of it needs the pass's keys, only the rows written from it do.
        var staged = Task.Run(() => ReadStagedAsync(runId, activities, previousRunId, eras, cancellationToken), cancellationToken);
        // First, so every reduce output below references only persons the committed view holds.
        var integrity = new ReferentialIntegrityPass(lake, options);
        // observation_period, the eras and death need only the staged reads and the persons the committed view holds,
        // which the pass completes early (its first pass): they are written beside the rest of the pass (its judging,
        // preceding visits and rewrites), not after it on one core.
        var perPerson = Task.Run(async () =>
        {
            var (personDates, deaths) = await staged.ConfigureAwait(false);
            await integrity.KeysComplete.ConfigureAwait(false);
            return await WritePerPersonAsync(runId, integrity, personDates, deaths, eras, previousRunId is not null, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
        var replaced = new List<string>();
        IReadOnlyList<PartOutput> integrityParts;
        try
        {
            integrityParts = await integrity.RunAsync(runId, activities, previousRunId, latestRunId, replaced, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The sorts and writes must end before they are disposed; the pass's failure is the one reported.
            try { await perPerson.ConfigureAwait(false); } catch (Exception) when (!cancellationToken.IsCancellationRequested) { }
            throw;
        }
        var parts = new List<PartOutput>(integrityParts);
        parts.AddRange(await perPerson.ConfigureAwait(false));
        parts.AddRange(await WriteAsync(CdmTables.CdmSource, runId, [CdmSourceBuilder.Build(cdmSource(run))], cancellationToken).ConfigureAwait(false));
        await lake.WriteAsync(RowKeyStaging.ResultPathOf(runId), JsonSerializer.SerializeToUtf8Bytes(integrity.Result(replaced), StateJson.Options),
            LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
        // The publish that follows reads every file's result again: not on top of the writes' garbage.
        UnusedHeapMemory.ReturnIfLarge();
        return parts;
    }

    /// <summary>
    /// Every file's staged person date bounds merged per person (an incremental run starts from the previous run's
    /// merged bounds, so its periods span the whole chain) and written as this run's merged bounds; the staged death
    /// rows merged per person (<see cref="DeathRecordMerger"/>); the era events sorted (<see cref="EraEventsReduce.SortAsync"/>:
    /// an incremental run adds the events its predecessor's eras were built from). Memory: one entry per person for the
    /// bounds and per deceased person.
    /// </summary>
    private async Task<(PersonDateRange PersonDates, DeathRecordMerger Deaths)> ReadStagedAsync(string runId, IReadOnlyList<ActivityState> activities,
        string? previousRunId, EraEventsReduce eras, CancellationToken cancellationToken)
    {
        var merged = new PersonDateRange();
        var paths = activities.Select(a => a.Result?.PersonDatesPath).OfType<string>().Select(p => (Path: p, Required: true)).ToList();
        if (previousRunId is not null)
        {
            // After an upgrade the predecessor's merged bounds may be an older build's text file (read once: this run writes binary).
            var previous = PersonDatesStaging.MergedPathOf(previousRunId);
            if (await LegacyMergedStaging.FindAsync(lake, previous, cancellationToken).ConfigureAwait(false) is { } text)
            {
                await foreach (var (person, min, max) in LegacyMergedStaging.ReadPersonDatesAsync(lake, text, cancellationToken).ConfigureAwait(false))
                {
                    merged.Observe(person, min);
                    merged.Observe(person, max);
                }
            }
            else paths.Add((previous, false));
        }
        var bounds = new StagedPersonDates[1024];
        foreach (var (path, required) in paths)
        {
            await using var reader = await PersonDatesStaging.OpenAsync(lake, path, cancellationToken).ConfigureAwait(false);
            if (reader is null)
            {
                if (required) throw PersonDatesStaging.Format.Corrupt(path, "are missing (the file's result names them)");
                continue;
            }
            int count;
            while ((count = await reader.ReadAsync(bounds, cancellationToken).ConfigureAwait(false)) > 0)
            {
                for (var i = 0; i < count; i++)
                {
                    merged.Observe(bounds[i].Person, bounds[i].Min);
                    merged.Observe(bounds[i].Person, bounds[i].Max);
                }
            }
        }
        await PersonDatesStaging.WriteAsync(lake, PersonDatesStaging.MergedPathOf(runId), merged, cancellationToken).ConfigureAwait(false);

        var deaths = new DeathRecordMerger();
        var rows = new StagedDeath[64];
        foreach (var activity in activities)
        {
            await using var reader = await DeathStaging.OpenAsync(lake, DeathStaging.PathOf(runId, activity.Index), cancellationToken).ConfigureAwait(false);
            if (reader is null) continue;
            int count;
            while ((count = await reader.ReadAsync(rows, cancellationToken).ConfigureAwait(false)) > 0)
            {
                for (var i = 0; i < count; i++) deaths.Add(rows[i].Row);
            }
        }

        await eras.SortAsync(runId, activities.Select(a => EraEventStaging.PathOf(runId, a.Index)), previousRunId, cancellationToken).ConfigureAwait(false);
        return (merged, deaths);
    }

    /// <summary>observation_period, the eras and death: separate tables, one task each (on both cores); their parts in
    /// that order. The checks of the integrity pass they report to are shared, so those calls take its lock.</summary>
    private async Task<IReadOnlyList<PartOutput>> WritePerPersonAsync(string runId, ReferentialIntegrityPass integrity, PersonDateRange personDates,
        DeathRecordMerger deaths, EraEventsReduce eras, bool incremental, CancellationToken cancellationToken)
    {
        bool Keep(OmopTable table, object?[] row) => integrity.KeepKnownPerson(table, PersonColumns[table], row);
        var periods = Task.Run(() => WriteAsync(CdmTables.ObservationPeriod, runId,
            ObservationPeriodBuilder.Build(personDates.Rows(), deidentifier).Where(r => Keep(CdmTables.ObservationPeriod, r)), cancellationToken), cancellationToken);
        var eraParts = Task.Run(() => WriteErasAsync(runId, eras, incremental, Keep, cancellationToken), cancellationToken);
        var death = Task.Run(() => WriteAsync(CdmTables.Death, runId, deaths.Rows().Where(r => Keep(CdmTables.Death, r)), cancellationToken), cancellationToken);
        await Task.WhenAll(periods, eraParts, death).ConfigureAwait(false);
        var parts = new List<PartOutput>(await periods.ConfigureAwait(false));
        parts.AddRange(await eraParts.ConfigureAwait(false));
        parts.AddRange(await death.ConfigureAwait(false));
        return parts;
    }

    /// <summary>The person_id reference of each table the reduce writes per person.</summary>
    private static readonly Dictionary<OmopTable, CdmForeignKey> PersonColumns = new[] { CdmTables.ObservationPeriod, CdmTables.ConditionEra, CdmTables.DrugEra, CdmTables.Death }
        .ToDictionary<OmopTable, OmopTable, CdmForeignKey>(t => t, t => CdmForeignKeys.Of(t).First(fk => fk.Column == "person_id"), ReferenceEqualityComparer.Instance);

    /// <summary>condition_era, drug_era and (incremental: eras the predecessor wrote that this run's events merged away,
    /// a bridged gap) deletions, so the committed view equals a full run's eras; their parts in that order.</summary>
    private async Task<IReadOnlyList<PartOutput>> WriteErasAsync(string runId, EraEventsReduce eras, bool incremental, Func<OmopTable, object?[], bool> keep,
        CancellationToken cancellationToken)
    {
        await using var conditionEras = PartWriter(CdmTables.ConditionEra, runId);
        await using var drugEras = PartWriter(CdmTables.DrugEra, runId);
        await using var deletions = incremental ? PartWriter(CdmTables.Deletions, runId) : null;
        await eras.WriteAsync((table, row, ct) =>
            ReferenceEquals(table, CdmTables.Deletions) ? deletions!.WriteAsync(row, ct)
            : !keep(table, row) ? ValueTask.CompletedTask
            : ReferenceEquals(table, CdmTables.ConditionEra) ? conditionEras.WriteAsync(row, ct) : drugEras.WriteAsync(row, ct), cancellationToken).ConfigureAwait(false);
        var parts = new List<PartOutput>();
        foreach (var writer in new[] { conditionEras, drugEras, deletions }.OfType<TablePartWriter>())
        {
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            parts.AddRange(writer.Parts);
        }
        return parts;
    }

    private async Task<IReadOnlyList<PartOutput>> WriteAsync(OmopTable table, string runId, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var writer = PartWriter(table, runId);
        foreach (var row in rows) await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return writer.Parts;
    }

    private TablePartWriter PartWriter(OmopTable table, string runId) => new(lake, table, part => LakePaths.ReducedPart(table.Name, runId, part), options);
}
