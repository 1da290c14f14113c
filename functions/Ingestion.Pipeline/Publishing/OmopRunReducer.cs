using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.State;
using Ingestion.Privacy;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The OMOP fan-in: observation_period from every file's staged person date bounds (one period per person, earliest
/// to latest event), and the one-row cdm_source. Memory grows with the number of persons, not with the data.
/// </summary>
public sealed class OmopRunReducer(ILake lake, IDeidentifier deidentifier, Func<RunState, CdmSourceFacts> cdmSource, PipelineOptions options) : IRunReducer
{
    public async Task<IReadOnlyList<PartOutput>> ReduceAsync(RunState run, IReadOnlyList<ActivityState> activities, CancellationToken cancellationToken)
    {
        var bounds = new List<object?[]>();
        foreach (var activity in activities)
        {
            if (activity.Result?.PersonDatesPath is not { } path) continue;
            await foreach (var row in PersonDatesStaging.ReadAsync(lake, path, cancellationToken).ConfigureAwait(false)) bounds.Add(row);
        }
        var parts = new List<PartOutput>();
        await WriteAsync(CdmTables.ObservationPeriod, run.InstanceId, ObservationPeriodBuilder.Build(bounds, deidentifier), parts, cancellationToken).ConfigureAwait(false);
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
