using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Ingestion.Orchestration;

/// <summary>What happened to a start request.</summary>
public enum RunStartOutcome { Started, AlreadyExists, SkippedSourceBusy }

public sealed record RunStartResult(string RunId, RunStartOutcome Outcome, string? Detail = null);

/// <summary>
/// Starts runs, the one way the CLI, the timer and the HTTP API do it: pins the key fingerprint, copies the settings
/// into the input, and keeps at most one run per source at a time (a tick while one runs is recorded in the
/// source's audit trail and skipped). Scheduled runs have one instance id per source and slot, so two ticks for
/// the same slot start one run.
/// </summary>
public sealed class ExportRunStarter(DurableTaskClient client, IRunCatalog catalog, RunKeyPin key, PipelineOptions options, SourcesOptions sources, TimeProvider time)
{
    /// <summary>The timer: a run of the named source for this schedule slot, unless the source is busy.</summary>
    public Task<RunStartResult> StartScheduledAsync(string sourceId, DateTimeOffset slotUtc, CancellationToken cancellationToken)
    {
        var input = InputFor(sources.Get(sourceId), new RunTrigger(RunTriggerKind.Schedule, "timer"));
        return StartAsync(input, RunIds.ForSchedule(input.SourceId, slotUtc), cancellationToken);
    }

    /// <summary>An on-demand run of a named source (API, CLI).</summary>
    public Task<RunStartResult> StartNamedAsync(string sourceId, RunTrigger trigger, CancellationToken cancellationToken) =>
        StartAsync(InputFor(sources.Get(sourceId), trigger), null, cancellationToken);

    /// <summary>
    /// Starts a run of <paramref name="input"/> (its key fingerprint and settings are filled in here). With no
    /// <paramref name="runId"/> a new id is made.
    /// </summary>
    public async Task<RunStartResult> StartAsync(ExportRunInput input, string? runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = time.GetUtcNow();
        runId ??= RunIds.New(input.SourceId, now);
        if (await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) is not null)
            return new RunStartResult(runId, RunStartOutcome.AlreadyExists, "A run with this id exists (the same schedule slot started it).");

        var busy = await ActiveRunAsync(input.SourceId, cancellationToken).ConfigureAwait(false);
        if (busy is not null)
        {
            var detail = $"Run '{busy}' of source '{input.SourceId}' is still running; {input.Trigger.Kind.ToString().ToLowerInvariant()} start of '{runId}' skipped.";
            await catalog.AppendAuditAsync(new AuditEntry("source:" + input.SourceId, "skipped:" + runId, "Skipped", now) { Actor = input.Trigger.By, Detail = detail }, cancellationToken).ConfigureAwait(false);
            return new RunStartResult(runId, RunStartOutcome.SkippedSourceBusy, detail);
        }

        var pinned = input with { KeyFingerprint = key.Fingerprint, Settings = SettingsFrom(options) };
        await client.ScheduleNewOrchestrationInstanceAsync(nameof(ExportOrchestrator), pinned, new StartOrchestrationOptions { InstanceId = runId }, cancellationToken).ConfigureAwait(false);
        return new RunStartResult(runId, RunStartOutcome.Started);
    }

    /// <summary>
    /// A new run that processes a failed run's failed files again (from the same server export, while the server
    /// keeps its files), reusing its completed files.
    /// </summary>
    public async Task<RunStartResult> RetryAsync(string failedRunId, string? by, CancellationToken cancellationToken)
    {
        var failed = await catalog.GetRunAsync(failedRunId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Run '{failedRunId}' is not in the run catalog.");
        if (failed.Status != RunRecordStatus.Failed || failed.FilesTotal == 0)
            throw new InvalidOperationException($"Run '{failedRunId}' is {failed.Status} with {failed.Counters.FilesFailed} failed files: only a run that failed in its files can be retried. Run the export again.");
        var original = await new RunLookup(catalog).LoadAsync(failedRunId, cancellationToken).ConfigureAwait(false);
        var failedFiles = new List<int>();
        await foreach (var file in catalog.ListFilesAsync(failedRunId, cancellationToken).ConfigureAwait(false))
            if (file.Status != RunFileStatus.Completed) failedFiles.Add(file.Index);
        var input = original.Input with { Trigger = new RunTrigger(RunTriggerKind.Retry, by), RetryOf = failedRunId, RetryFiles = failedFiles };
        return await StartAsync(input, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The input for a named source: its whole export request, incremental as configured.</summary>
    public ExportRunInput InputFor(SourceDefinition source, RunTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new ExportRunInput
        {
            SourceId = source.Id,
            SourceKind = source.Kind,
            FhirBaseUrl = source.FhirBaseUrl?.ToString(),
            LandedLocation = source.LandedFolder ?? source.LandedContainer,
            Request = new BulkExportRequest
            {
                Level = source.Level.ToLowerInvariant() switch
                {
                    "patient" => BulkExportLevel.Patient,
                    "group" => BulkExportLevel.Group,
                    _ => source.GroupId is null ? BulkExportLevel.System : BulkExportLevel.Group,
                },
                GroupId = source.GroupId,
                Types = source.Types,
                TypeFilters = source.TypeFilters,
            },
            Incremental = source.Incremental,
            KeyFingerprint = key.Fingerprint,
            Trigger = trigger,
        };
    }

    public static RunSettings SettingsFrom(PipelineOptions options) => new()
    {
        MaxParallelFiles = Math.Max(1, options.MaxParallelFiles),
        QueuedFiles = Math.Max(0, options.QueuedFiles),
        FilesPerBatch = Math.Max(1, options.FilesPerBatch),
        FileGroupBytes = Math.Max(0, options.FileGroupBytes),
        FileGroupFiles = Math.Max(0, options.FileGroupFiles),
        MaxFileAttempts = Math.Max(1, options.MaxActivityAttempts),
        MaxStepAttempts = Math.Max(1, options.MaxStepAttempts),
        FirstRetryDelay = options.RetryBaseDelay,
        MaxRetryDelay = options.MaxRetryDelay,
        MinPollDelay = options.MinPollDelay,
        MaxPollDelay = options.MaxPollDelay,
        MaxExportWait = options.MaxExportWait,
    };

    private async Task<string?> ActiveRunAsync(string sourceId, CancellationToken cancellationToken)
    {
        foreach (var status in new[] { RunRecordStatus.Running, RunRecordStatus.Pending })
        {
            var page = await catalog.ListRunsAsync(new RunQuery { SourceId = sourceId, Status = status, PageSize = 5 }, cancellationToken).ConfigureAwait(false);
            foreach (var run in page.Runs)
            {
                // The catalog may say Running for an instance that was terminated or purged: Durable decides.
                var instance = await client.GetInstanceAsync(run.RunId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
                if (instance is { IsRunning: true } or { RuntimeStatus: OrchestrationRuntimeStatus.Pending }) return run.RunId;
            }
        }
        return null;
    }
}
