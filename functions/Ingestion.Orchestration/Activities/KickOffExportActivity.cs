using Ingestion.Fhir.BulkData;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>
/// Kicks off the export with the run's whole request (level, patients, _type, _typeFilter, _since or the
/// watermark, _until, _elements, GET/POST). Idempotent: a re-run after the status URL was recorded returns it
/// instead of starting a second export. A refusal (4xx) fails at once with the server's OperationOutcome text.
/// </summary>
public sealed class KickOffExportActivity(IRunCatalog catalog, RunLookup runs, RunKeyPin key, IExportSourceFactory sources, PipelineTelemetry telemetry) : TaskActivity<RunStep, KickOffResult>
{
    public override async Task<KickOffResult> RunAsync(TaskActivityContext context, RunStep step)
    {
        var ct = CancellationToken.None;
        key.Check(step.RunId, step.KeyFingerprint);
        var (run, input) = await runs.LoadAsync(step.RunId, ct).ConfigureAwait(false);
        using var span = telemetry.StartSpan("kick-off", step.RunId, input.SourceId);
        if (run.ExportStatusUrl is { } recorded) return new KickOffResult(new BulkExportJob(recorded, run.CreatedAt), run.EffectiveSince);

        var since = input.Request.Since;
        if (since is null && input.Incremental)
            since = (await catalog.GetWatermarkAsync(input.SourceId, ct).ConfigureAwait(false))?.TransactionTime;
        var request = input.Request with { Since = since };
        BulkExportJob job;
        try
        {
            job = await sources.Create(input).KickOffAsync(request, ct).ConfigureAwait(false);
        }
        catch (BulkExportException ex) when (ServerRefusal.Is(ex))
        {
            span.Fail(ex);
            throw ServerRefusal.Fail(ex);
        }
        await catalog.UpdateRunAsync(step.RunId, r => r with { ExportStatusUrl = job.StatusUrl, EffectiveSince = since, Phase = "Polling" }, ct).ConfigureAwait(false);
        await catalog.AppendAuditAsync(new AuditEntry(step.RunId, "kicked-off", "ExportKickedOff", DateTimeOffset.UtcNow) { Detail = since is null ? "full" : "since " + since.Value.ToString("O") }, ct).ConfigureAwait(false);
        return new KickOffResult(job, since);
    }
}
