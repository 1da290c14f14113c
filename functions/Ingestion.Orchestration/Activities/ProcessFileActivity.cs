using System.Net;
using System.Text.Json;
using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>
/// One work unit of manifest files (one file, or a group of small files in turn): each file is streamed → validated →
/// mapped → de-identified → Parquet parts in the lake (deterministic names, so a re-run replaces its own parts), then
/// its catalog row and the run's counters are updated before the next file starts. A file already completed (the
/// activity re-delivered after a crash, or a failed group's files run again one by one) returns its recorded result
/// without running again. At most <see cref="RunSettings.MaxParallelFiles"/> units of a run process files in one
/// process at once (<see cref="FileActivitySlots"/>): the units the orchestrator queues beyond that wait for a slot.
/// </summary>
public sealed class ProcessFileActivity(IRunCatalog catalog, RunLookup runs, FileActivitySlots slots, RunKeyPin key, IExportSourceFactory sources, ExportManifestCache manifests, IFileActivity fileActivity, TimeProvider time, PipelineTelemetry telemetry)
    : TaskActivity<FileRequest, FileResultSummary>
{
    public override async Task<FileResultSummary> RunAsync(TaskActivityContext context, FileRequest request)
    {
        var ct = CancellationToken.None;
        key.Check(request.RunId, request.KeyFingerprint);
        var (run, input) = await runs.LoadAsync(request.RunId, ct).ConfigureAwait(false); // once per unit
        // A queued unit (RunSettings.QueuedFiles) waits here until one of the run's units in this process ends.
        using var slot = await slots.EnterAsync(request.RunId, input.Settings.MaxParallelFiles, ct).ConfigureAwait(false);
        long read = 0, mapped = 0, quarantined = 0;
        foreach (var index in request.Files())
        {
            var file = await catalog.GetFileAsync(request.RunId, index, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Run '{request.RunId}' has no file {index} in the catalog.");
            if (file.Status != RunFileStatus.Completed)
                file = await ProcessAsync(request.RunId, file, run, input, ct).ConfigureAwait(false);
            read += file.ResourcesRead;
            mapped += file.ResourcesMapped;
            quarantined += file.ResourcesQuarantined;
        }
        return new FileResultSummary(request.Index, read, mapped, quarantined);
    }

    private async Task<RunFileRecord> ProcessAsync(string runId, RunFileRecord file, RunRecord run, ExportRunInput input, CancellationToken ct)
    {
        using var span = telemetry.StartSpan("file", runId, input.SourceId, file.Index);
        span.SetTag("ingestion.file.resource_type", file.ResourceType);
        span.SetTag("ingestion.file.attempt", file.Attempts + 1);
        var source = new KeyValuePair<string, object?>("ingestion.source.id", input.SourceId);
        var started = time.GetUtcNow();
        file = await catalog.UpdateFileAsync(runId, file.Index, f => f with { Status = RunFileStatus.Running, Attempts = f.Attempts + 1, StartedAt = started, FailureReason = null }, ct).ConfigureAwait(false);
        FileResult result;
        var exportSource = sources.Create(input);
        telemetry.FilesInFlight.Add(1, source);
        try
        {
            var state = CatalogViews.ToActivityState(file);
            // The catalog keeps a server file's URL redacted; the download URL comes from the server's manifest.
            if (input.SourceKind == ExportSourceKind.FhirServer)
                state = state with { Url = await manifests.DownloadUrlAsync(exportSource, StatusUrlOf(run), file, ct).ConfigureAwait(false) };
            result = await fileActivity.RunAsync(new FileActivityContext(CatalogViews.ToRunState(run, input), state, exportSource), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (Failed(span, ex))
        {
            throw; // not reached: Failed only records the failure on the span
        }
        catch (BulkExportFileException ex) when (Forget(run) && ex.StatusCode is HttpStatusCode.Gone or HttpStatusCode.NotFound)
        {
            throw new NonRetryableActivityException($"File {file.Index} ({ex.ResourceType}): the file URL has expired (HTTP {(int)ex.StatusCode!}); run a new export.", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new NonRetryableActivityException($"File {file.Index}: {ex.Message}", ex);
        }
        finally
        {
            telemetry.FilesInFlight.Add(-1, source);
        }

        var mapped = result.ResourcesValid;
        var unmapped = result.UnmappedRowsByTable.Values.Sum();
        var completed = await catalog.UpdateFileAsync(runId, file.Index, f => f with
        {
            Status = RunFileStatus.Completed,
            CompletedAt = time.GetUtcNow(),
            ResourcesRead = result.LinesRead,
            ResourcesMapped = mapped,
            ResourcesQuarantined = result.Quarantined + result.ServerErrors,
            ResourcesUnmapped = unmapped,
            ResultJson = JsonSerializer.Serialize(result, StateJson.Options),
        }, ct).ConfigureAwait(false);
        await catalog.AddToCountersAsync(runId, new RunCounters
        {
            FilesDone = 1,
            ResourcesRead = result.LinesRead,
            ResourcesMapped = mapped,
            ResourcesQuarantined = result.Quarantined + result.ServerErrors,
            ResourcesUnmapped = unmapped,
            ServerErrors = result.ServerErrors,
        }, ct).ConfigureAwait(false);
        telemetry.ResourcesRead.Add(result.LinesRead, source);
        telemetry.ResourcesMapped.Add(mapped, source);
        telemetry.ResourcesQuarantined.Add(result.Quarantined + result.ServerErrors, source);
        telemetry.ConceptZeroRows.Add(unmapped, source);
        telemetry.DownloadBytes.Add(result.Bytes, source);
        span.SetTag("ingestion.file.resources_read", result.LinesRead);
        span.SetTag("ingestion.file.resources_quarantined", result.Quarantined + result.ServerErrors);
        return completed;
    }

    private static string StatusUrlOf(RunRecord run) =>
        run.ExportStatusUrl ?? throw new InvalidOperationException($"Run '{run.RunId}' has no export status URL in the run catalog.");

    /// <summary>A refused download may be an expired signature: the next attempt re-reads the manifest. Always true (used in a filter).</summary>
    private bool Forget(RunRecord run)
    {
        if (run.ExportStatusUrl is { } statusUrl) manifests.Forget(statusUrl);
        return true;
    }

    private static bool Failed(RunSpan span, Exception exception)
    {
        span.Fail(exception);
        return false;
    }
}
