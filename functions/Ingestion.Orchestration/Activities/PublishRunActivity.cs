using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>Writes the report and then the commit manifest (the atomic publish). Safe to repeat: an existing manifest is kept.</summary>
public sealed class PublishRunActivity(IRunCatalog catalog, RunLookup runs, RunKeyPin key, IRunPublisher publisher, CompletedFilesHandOff completed, PipelineTelemetry telemetry) : TaskActivity<RunStep, PublishResult>
{
    public override async Task<PublishResult> RunAsync(TaskActivityContext context, RunStep step)
    {
        var ct = CancellationToken.None;
        key.Check(step.RunId, step.KeyFingerprint);
        var (run, input) = await runs.LoadAsync(step.RunId, ct).ConfigureAwait(false);
        using var span = telemetry.StartSpan("publish", step.RunId, input.SourceId);
        var files = await completed.TakeAsync(catalog, step.RunId, ct).ConfigureAwait(false);
        var reduced = run.ReducedParts.Select(p => new PartOutput(p.Table, p.Path, p.Rows, p.Bytes)).ToList();
        var published = await publisher.PublishAsync(CatalogViews.ToRunState(run, input), files, reduced, ct).ConfigureAwait(false);
        await catalog.UpdateRunAsync(step.RunId, r => r with { ManifestPath = published.ManifestPath, ReportPath = published.ReportPath }, ct).ConfigureAwait(false);
        return new PublishResult(published.ManifestPath, published.ReportPath);
    }
}
