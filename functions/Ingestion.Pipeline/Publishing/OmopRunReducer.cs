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
/// the staged era events and death merged per person (<see cref="FanInStaging"/>). Memory grows with the number of
/// persons and of staged era events. Before all of these, the referential-integrity pass
/// (<see cref="ReferentialIntegrityPass"/>): one row per key, no dangling reference, preceding visits; it rewrites
/// the file parts concerned and its rewritten parts are returned with the reduce outputs.
/// </summary>
public sealed class OmopRunReducer(ILake lake, IDeidentifier deidentifier, Func<RunState, CdmSourceFacts> cdmSource, PipelineOptions options,
    IVocabulary? vocabulary = null) : IRunReducer
{
    public async Task<IReadOnlyList<PartOutput>> ReduceAsync(RunState run, IReadOnlyList<ActivityState> activities, CancellationToken cancellationToken)
    {
        ReturnFreeMemory();
        var latestRunId = (await PublishedRuns.LatestAsync(lake, run.Input.SourceId, run.InstanceId, cancellationToken).ConfigureAwait(false))?.RunId;
        var previousRunId = run.EffectiveSince is null ? null : latestRunId;
        // First, so every reduce output below references only persons the committed view holds.
        var integrity = new ReferentialIntegrityPass(lake, options);
        var replaced = new List<string>();
        var parts = new List<PartOutput>(await integrity.RunAsync(run.InstanceId, activities, previousRunId, latestRunId, replaced, cancellationToken).ConfigureAwait(false));

        var merged = new PersonDateRange();
        var paths = activities.Select(a => a.Result?.PersonDatesPath).OfType<string>().ToList();
        if (previousRunId is not null
            && await lake.GetAsync(PersonDatesStaging.MergedPathOf(previousRunId), cancellationToken).ConfigureAwait(false) is not null)
            paths.Add(PersonDatesStaging.MergedPathOf(previousRunId));
        foreach (var path in paths)
        {
            await foreach (var row in PersonDatesStaging.ReadAsync(lake, path, cancellationToken).ConfigureAwait(false))
            {
                merged.Observe((long)row[0]!, (DateOnly)row[1]!);
                merged.Observe((long)row[0]!, (DateOnly)row[2]!);
            }
        }
        await PersonDatesStaging.WriteAsync(lake, PersonDatesStaging.MergedPathOf(run.InstanceId), merged, cancellationToken).ConfigureAwait(false);
        await WriteAsync(CdmTables.ObservationPeriod, run.InstanceId, OfKnownPersons(integrity, CdmTables.ObservationPeriod, ObservationPeriodBuilder.Build(merged.Rows(), deidentifier)), parts, cancellationToken).ConfigureAwait(false);
        await ReduceErasAsync(run, activities, previousRunId, integrity, parts, cancellationToken).ConfigureAwait(false);
        await ReduceDeathAsync(run, activities, integrity, parts, cancellationToken).ConfigureAwait(false);
        await WriteAsync(CdmTables.CdmSource, run.InstanceId, [CdmSourceBuilder.Build(cdmSource(run))], parts, cancellationToken).ConfigureAwait(false);
        await lake.WriteAsync(RowKeyStaging.ResultPathOf(run.InstanceId), JsonSerializer.SerializeToUtf8Bytes(integrity.Result(replaced), StateJson.Options),
            LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
        return parts;
    }

    /// <summary>
    /// The fan-in starts when the file activities' garbage (parse buffers, documents, row batches) is dead: Server GC
    /// keeps the space it committed for them and would grow the fan-in's state on top of it, so the peak RSS of a run
    /// was the files' committed heap plus the fan-in's (docs/benchmarks.md, "After mem"). One blocking compacting
    /// collection that decommits the free space (tens of milliseconds) lets the fan-in start from the live heap.
    /// </summary>
    private static void ReturnFreeMemory() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>The rows of a person the committed view holds; the others are dropped and counted (a period or era
    /// of a person whose Patient was quarantined), the kept ones foreign-key checked.</summary>
    private static IEnumerable<object?[]> OfKnownPersons(ReferentialIntegrityPass integrity, OmopTable table, IEnumerable<object?[]> rows)
    {
        var person = CdmForeignKeys.Of(table).First(fk => fk.Column == "person_id");
        foreach (var row in rows)
        {
            if (!integrity.Keys.Contains(CdmTables.Person, (long)row[person.Index]!))
            {
                integrity.CountExcluded(table, person.Column);
                continue;
            }
            integrity.Checks.Observe(table, row);
            yield return row;
        }
    }

    /// <summary>condition_era and drug_era from every file's staged era events; an incremental run adds the events
    /// its predecessor's eras were built from, so eras span the whole chain like observation_period.</summary>
    private async Task ReduceErasAsync(RunState run, IReadOnlyList<ActivityState> activities, string? previousRunId, ReferentialIntegrityPass integrity, List<PartOutput> parts,
        CancellationToken cancellationToken)
    {
        var table = CdmTables.EraEvents;
        // drug_era per RxNorm ingredient (the vocabulary's concept_ancestor links); without a vocabulary, per drug concept.
        var ingredients = vocabulary is null ? null : new DrugIngredients(vocabulary);
        var eras = new EraBuilder(deidentifier, ingredients);
        var paths = activities.Select(a => FanInStaging.PathOf(run.InstanceId, table, a.Index)).ToList();
        if (previousRunId is not null) paths.Add(FanInStaging.MergedPathOf(previousRunId, table));
        foreach (var path in paths)
        {
            await foreach (var row in FanInStaging.ReadAsync(lake, table, path, cancellationToken).ConfigureAwait(false)) eras.Add(row);
        }
        await FanInStaging.WriteAsync(lake, table, FanInStaging.MergedPathOf(run.InstanceId, table), eras.Events(), cancellationToken).ConfigureAwait(false);
        await WriteAsync(CdmTables.ConditionEra, run.InstanceId, OfKnownPersons(integrity, CdmTables.ConditionEra, eras.ConditionEras()), parts, cancellationToken).ConfigureAwait(false);
        await WriteAsync(CdmTables.DrugEra, run.InstanceId, OfKnownPersons(integrity, CdmTables.DrugEra, eras.DrugEras()), parts, cancellationToken).ConfigureAwait(false);
        if (previousRunId is null) return;
        // Eras the predecessor wrote that this run's events merged away (a bridged gap): listed in deletions, so the
        // committed view equals a full run's eras.
        var before = new EraBuilder(deidentifier, ingredients);
        await foreach (var row in FanInStaging.ReadAsync(lake, table, FanInStaging.MergedPathOf(previousRunId, table), cancellationToken).ConfigureAwait(false)) before.Add(row);
        await WriteAsync(CdmTables.Deletions, run.InstanceId, eras.DeletionsSince(before), parts, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>death, one row per person, from every file's staged death rows (<see cref="DeathRecordMerger"/>).</summary>
    private async Task ReduceDeathAsync(RunState run, IReadOnlyList<ActivityState> activities, ReferentialIntegrityPass integrity, List<PartOutput> parts, CancellationToken cancellationToken)
    {
        var deaths = new DeathRecordMerger();
        foreach (var activity in activities)
        {
            var path = FanInStaging.PathOf(run.InstanceId, CdmTables.Death, activity.Index);
            await foreach (var row in FanInStaging.ReadAsync(lake, CdmTables.Death, path, cancellationToken).ConfigureAwait(false)) deaths.Add(row);
        }
        await WriteAsync(CdmTables.Death, run.InstanceId, OfKnownPersons(integrity, CdmTables.Death, deaths.Rows()), parts, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(OmopTable table, string runId, IEnumerable<object?[]> rows, List<PartOutput> parts, CancellationToken cancellationToken)
    {
        await using var writer = new TablePartWriter(lake, table, part => LakePaths.ReducedPart(table.Name, runId, part), options);
        foreach (var row in rows) await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        parts.AddRange(writer.Parts);
    }
}
