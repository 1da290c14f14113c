using System.Text.Json;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;

namespace Ingestion.Orchestration;

/// <summary>Reads a run's catalog row and its input back (activities take ids, not the whole input, to keep history small).</summary>
public sealed class RunLookup(IRunCatalog catalog)
{
    public async Task<(RunRecord Run, ExportRunInput Input)> LoadAsync(string runId, CancellationToken cancellationToken)
    {
        var run = await catalog.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Run '{runId}' is not in the run catalog.");
        var input = JsonSerializer.Deserialize<ExportRunInput>(run.InputJson ?? "null", OrchestrationJson.State)
            ?? throw new InvalidDataException($"Run '{runId}' has no input in the run catalog.");
        return (run, input);
    }
}
