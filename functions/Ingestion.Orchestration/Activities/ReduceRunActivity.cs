using Ingestion.Pipeline.Publishing;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>The run-level tables (observation_period, cdm_source) from every file's staged outputs; parts recorded on the run row.</summary>
public sealed class ReduceRunActivity(IRunCatalog catalog, RunLookup runs, RunKeyPin key, IRunReducer reducer, CompletedFilesHandOff completed) : TaskActivity<RunStep, int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, RunStep step)
    {
        var ct = CancellationToken.None;
        key.Check(step.RunId, step.KeyFingerprint);
        var (run, input) = await runs.LoadAsync(step.RunId, ct).ConfigureAwait(false);
        var files = await completed.ReadAndKeepAsync(catalog, step.RunId, ct).ConfigureAwait(false);
        var parts = await reducer.ReduceAsync(CatalogViews.ToRunState(run, input), files, ct).ConfigureAwait(false);
        await catalog.UpdateRunAsync(step.RunId, r => r with { ReducedParts = parts.Select(p => new CatalogPart(p.Table, p.Path, p.Rows, p.Bytes)).ToList(), Phase = "Publishing" }, ct).ConfigureAwait(false);
        return parts.Count;
    }
}
