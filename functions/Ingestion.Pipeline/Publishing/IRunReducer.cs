using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Publishing;

/// <summary>Writes the run-level tables computed from every file's outputs (observation_period, cdm_source),
/// under deterministic names (<see cref="LakePaths.ReducedPart"/>), and returns their parts.</summary>
public interface IRunReducer
{
    Task<IReadOnlyList<PartOutput>> ReduceAsync(RunState run, IReadOnlyList<ActivityState> activities, CancellationToken cancellationToken);
}
