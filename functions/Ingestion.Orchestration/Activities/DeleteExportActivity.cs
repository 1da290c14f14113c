using Ingestion.Fhir.BulkData;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Ingestion.Orchestration;

/// <summary>
/// DELETE on the export's status URL (after publish, on cancel, after the maximum wait). A failure is logged, not
/// raised: the server expires exports on its own, and a failed DELETE must not fail a published run.
/// </summary>
public sealed class DeleteExportActivity(RunLookup runs, IExportSourceFactory sources, ILogger<DeleteExportActivity> log) : TaskActivity<ExportDeletion, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ExportDeletion deletion)
    {
        var ct = CancellationToken.None;
        try
        {
            var (run, input) = await runs.LoadAsync(deletion.RunId, ct).ConfigureAwait(false);
            await sources.Create(input).DeleteAsync(new BulkExportJob(deletion.StatusUrl, run.CreatedAt), ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogWarning("Run {RunId}: deleting the server export failed ({Error}); the server will expire it.", deletion.RunId, ex.GetType().Name);
            return false;
        }
    }
}
