using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>
/// One status request. While the export runs it returns the server's Retry-After (the orchestrator clamps it and
/// waits on a durable timer) and X-Progress; when the manifest is there it records one catalog row per file
/// (output, error and deleted lists, in that order, so indexes are stable on a re-run) and returns the count.
/// File URLs reach neither the catalog nor Durable history whole (<see cref="ManifestFiles"/>).
/// </summary>
public sealed class PollExportActivity(IRunCatalog catalog, RunLookup runs, RunKeyPin key, IExportSourceFactory sources, TimeProvider time, PipelineTelemetry telemetry) : TaskActivity<PollRequest, PollResult>
{
    public override async Task<PollResult> RunAsync(TaskActivityContext context, PollRequest request)
    {
        var ct = CancellationToken.None;
        key.Check(request.RunId, request.KeyFingerprint);
        var (_, input) = await runs.LoadAsync(request.RunId, ct).ConfigureAwait(false);
        using var span = telemetry.StartSpan("poll", request.RunId, input.SourceId);
        telemetry.Polls.Add(1, new KeyValuePair<string, object?>("ingestion.source.id", input.SourceId));
        BulkExportPollResult poll;
        try
        {
            poll = await sources.Create(input).PollAsync(request.Job, ct).ConfigureAwait(false);
        }
        catch (BulkExportTimeoutException ex)
        {
            span.Fail(ex);
            throw new NonRetryableActivityException(ex.Message, ex);
        }
        catch (BulkExportException ex) when (ServerRefusal.Is(ex))
        {
            span.Fail(ex);
            throw ServerRefusal.Fail(ex);
        }
        span.SetTag("ingestion.export.complete", poll.Manifest is not null);
        if (poll.Manifest is not { } manifest)
        {
            var now = time.GetUtcNow();
            var wait = poll.Job.NextPollAt is { } at && at > now ? at - now : TimeSpan.Zero;
            // A partial manifest's pages wait in Durable history between polls: without their (maybe signed) file URLs.
            return new PollResult(false, poll.Job with { ManifestPages = ManifestFiles.Redacted(poll.Job.ManifestPages) }, wait) { Progress = poll.Progress };
        }

        var files = ManifestFiles.From(request.RunId, manifest, redactUrls: input.SourceKind == ExportSourceKind.FhirServer);
        await catalog.PutFilesAsync(request.RunId, files, ct).ConfigureAwait(false);
        await catalog.UpdateRunAsync(request.RunId, r => r with
        {
            FilesTotal = files.Count,
            TransactionTime = manifest.TransactionTime,
            RequiresAccessToken = manifest.RequiresAccessToken,
            Progress = poll.Progress ?? r.Progress,
            SkippedFiles = poll.Skipped.Select(s => new CatalogSkippedFile(s.Name, s.Reason)).ToList(),
        }, ct).ConfigureAwait(false);
        await catalog.AppendAuditAsync(new AuditEntry(request.RunId, "manifest", "ManifestReceived", time.GetUtcNow())
        {
            Detail = $"output={manifest.Output.Count} error={manifest.Error.Count} deleted={manifest.Deleted.Count} skipped={poll.Skipped.Count}",
        }, ct).ConfigureAwait(false);
        var order = ManifestFiles.LargestFirst(manifest);
        return new PollResult(true, poll.Job with { ManifestPages = [] }, TimeSpan.Zero)
        {
            Progress = poll.Progress, FileCount = files.Count, TransactionTime = manifest.TransactionTime, Order = order,
            Units = ManifestFiles.SmallFileGroups(manifest, order, input.Settings.FileGroupBytes, input.Settings.FileGroupFiles),
        };
    }
}
