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
/// of ends) and the committed view (newest run per key) equals a full run's. Memory grows with the number of persons.
/// </summary>
public sealed class OmopRunReducer(ILake lake, IDeidentifier deidentifier, Func<RunState, CdmSourceFacts> cdmSource, PipelineOptions options) : IRunReducer
{
    public async Task<IReadOnlyList<PartOutput>> ReduceAsync(RunState run, IReadOnlyList<ActivityState> activities, CancellationToken cancellationToken)
    {
        var merged = new PersonDateRange();
        var paths = activities.Select(a => a.Result?.PersonDatesPath).OfType<string>().ToList();
        if (run.EffectiveSince is not null
            && await PublishedRuns.LatestAsync(lake, run.Input.SourceId, run.InstanceId, cancellationToken).ConfigureAwait(false) is { } previous
            && await lake.GetAsync(PersonDatesStaging.MergedPathOf(previous.RunId), cancellationToken).ConfigureAwait(false) is not null)
            paths.Add(PersonDatesStaging.MergedPathOf(previous.RunId));
        foreach (var path in paths)
        {
            await foreach (var row in PersonDatesStaging.ReadAsync(lake, path, cancellationToken).ConfigureAwait(false))
            {
                merged.Observe((long)row[0]!, (DateOnly)row[1]!);
                merged.Observe((long)row[0]!, (DateOnly)row[2]!);
            }
        }
        await PersonDatesStaging.WriteAsync(lake, PersonDatesStaging.MergedPathOf(run.InstanceId), merged, cancellationToken).ConfigureAwait(false);
        var parts = new List<PartOutput>();
        await WriteAsync(CdmTables.ObservationPeriod, run.InstanceId, ObservationPeriodBuilder.Build(merged.Rows(), deidentifier), parts, cancellationToken).ConfigureAwait(false);
        await WriteAsync(CdmTables.CdmSource, run.InstanceId, [CdmSourceBuilder.Build(cdmSource(run))], parts, cancellationToken).ConfigureAwait(false);
        return parts;
    }

    private async Task WriteAsync(OmopTable table, string runId, IEnumerable<object?[]> rows, List<PartOutput> parts, CancellationToken cancellationToken)
    {
        await using var writer = new TablePartWriter(lake, table, part => LakePaths.ReducedPart(table.Name, runId, part), options);
        foreach (var row in rows) await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        parts.AddRange(writer.Parts);
    }
}
