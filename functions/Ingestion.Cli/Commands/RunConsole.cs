using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ingestion.Cli.Hosting;
using Ingestion.Orchestration;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask.Client;
using Spectre.Console;

namespace Ingestion.Cli.Commands;

/// <summary>
/// Starts a run and follows it until it ends, with a live Spectre.Console progress display from the run catalog,
/// then prints the run summary (rows per table, quarantine reasons, top unmapped codes, time, throughput) and where
/// to look next. Exit code 0 when the run Completed, 1 otherwise (reason on stderr).
/// </summary>
internal static class RunConsole
{
    public static async Task<int> StartAndFollowAsync(PipelineRuntime runtime, ExportRunInput input, CancellationToken cancellationToken)
    {
        var started = await runtime.Starter.StartAsync(input, null, cancellationToken);
        if (started.Outcome != RunStartOutcome.Started)
        {
            await Console.Error.WriteLineAsync(started.Detail ?? $"Run {started.RunId} was not started ({started.Outcome}).");
            return 1;
        }
        return await FollowAsync(runtime, started.RunId, cancellationToken);
    }

    public static async Task<int> FollowAsync(PipelineRuntime runtime, string runId, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        OrchestrationMetadata? final = null;
        RunRecord? record = null;
        try
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var export = context.AddTask("Export: kick-off", maxValue: 1);
                    var files = context.AddTask("Files: waiting for the manifest", maxValue: 1, autoStart: false);
                    // The display refreshes from the catalog every 250 ms; the run's end is noticed the moment it happens.
                    var completion = runtime.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cancellationToken);
                    while (true)
                    {
                        record = await runtime.Catalog.GetRunAsync(runId, cancellationToken) ?? record;
                        if (record is not null)
                        {
                            export.Description = Markup.Escape($"Export: {record.Phase}{(record.Progress is null ? "" : $" (server: {record.Progress})")}");
                            if (record.FilesTotal > 0)
                            {
                                export.Value = 1;
                                if (!files.IsStarted) files.StartTask();
                                var c = record.Counters;
                                files.MaxValue = Math.Max(1, record.FilesTotal);
                                files.Value = c.FilesDone + c.FilesFailed;
                                files.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                                    $"Files {c.FilesDone + c.FilesFailed}/{record.FilesTotal}: {c.ResourcesRead:N0} resources, {c.ResourcesQuarantined:N0} quarantined"));
                            }
                        }
                        if (completion.IsCompleted)
                        {
                            final = await completion;
                            break;
                        }
                        await Task.WhenAny(completion, Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken));
                        cancellationToken.ThrowIfCancellationRequested();
                    }
                    export.Value = export.MaxValue;
                    files.Value = files.MaxValue;
                });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync(runtime.IsCrashDurable
                ? $"Interrupted. Run {runId} is durable: `serve` (or the next run command) on the same Durable:StorageConnection continues it; `cancel {runId}` stops it."
                : $"Interrupted. Run {runId} ran on the in-memory backend and stopped with this process; run the command again (the data path is idempotent).");
            return 1;
        }
        watch.Stop();
        record = await runtime.Catalog.GetRunAsync(runId, cancellationToken) ?? record;
        var output = final!.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? final.ReadOutputAs<ExportRunOutput>() : null;
        var outcome = output?.Outcome.ToString() ?? final.RuntimeStatus.ToString();
        await PrintSummaryAsync(runtime, runId, outcome, record, output, watch.Elapsed, cancellationToken);
        if (output?.Outcome == RunOutcome.Completed) return 0;
        await Console.Error.WriteLineAsync($"Run {runId} {outcome}: {output?.FailureReason ?? final.FailureDetails?.ErrorMessage ?? record?.FailureReason ?? "no reason recorded"}");
        await foreach (var file in runtime.Catalog.ListFilesAsync(runId, cancellationToken))
        {
            if (file.Status == RunFileStatus.Failed) await Console.Error.WriteLineAsync($"  file {file.Index} ({file.ResourceType}): {file.FailureReason}");
        }
        if (output is { Outcome: RunOutcome.Failed, FilesFailed: > 0 }) await Console.Error.WriteLineAsync($"Fix the cause, then `retry {runId}` processes the failed files again (while the server keeps the export).");
        return 1;
    }

    private static async Task PrintSummaryAsync(PipelineRuntime runtime, string runId, string outcome, RunRecord? record, ExportRunOutput? output, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        RunReport? report = null;
        if (output?.ReportPath is { } reportPath)
        {
            await using var stream = await runtime.Lakes.Lake.OpenReadAsync(reportPath, cancellationToken);
            report = await JsonSerializer.DeserializeAsync<RunReport>(stream, StateJson.Options, cancellationToken);
        }
        var c = report?.Totals ?? new RunTotals { ResourcesRead = record?.Counters.ResourcesRead ?? 0, ResourcesValid = record?.Counters.ResourcesMapped ?? 0, ResourcesQuarantined = record?.Counters.ResourcesQuarantined ?? 0 };
        var rows = c.RowsByTable;
        var table = new Table().Title("Rows per OMOP table").AddColumn("Table").AddColumn(new TableColumn("Rows").RightAligned());
        foreach (var (name, count) in rows) table.AddRow(Markup.Escape(name), count.ToString("N0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);

        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Run [bold]{Markup.Escape(runId)}[/] {outcome}: {c.ResourcesRead:N0} resources read ({c.Bytes / 1048576.0:F1} MB) in {elapsed.TotalSeconds:F1} s = {c.ResourcesRead / seconds:N0} resources/s; {c.ResourcesValid:N0} mapped, {c.ResourcesNotCovered:N0} of types not mapped, {c.ResourcesQuarantined:N0} quarantined, {c.Deletions:N0} deletions."));
        if (report is not null)
        {
            if (report.QuarantinedByReason.Count > 0)
            {
                var reasons = new Table().Title("Quarantined, by reason").AddColumn("Reason").AddColumn(new TableColumn("Lines").RightAligned());
                foreach (var (reason, n) in report.QuarantinedByReason.OrderByDescending(kv => kv.Value)) reasons.AddRow(Markup.Escape(reason), n.ToString("N0", CultureInfo.InvariantCulture));
                AnsiConsole.Write(reasons);
            }
            if (report.SkippedFiles.Count > 0)
                AnsiConsole.MarkupLine($"[yellow]Skipped {report.SkippedFiles.Count} file(s) of the landed export:[/] " + Markup.Escape(string.Join("; ", report.SkippedFiles.Select(f => $"{f.Name} ({f.Reason})"))));
            if (report.NotCoveredByResourceType.Count > 0)
                AnsiConsole.MarkupLine("Resource types not mapped to OMOP: " + Markup.Escape(string.Join(", ", report.NotCoveredByResourceType.Select(kv => $"{kv.Key} {kv.Value:N0}"))));
            if (report.TopUnmappedCodes.Count > 0)
            {
                var unmapped = new Table().Title("Top unmapped codes (concept_id 0)").AddColumn("Table").AddColumn("Vocabulary").AddColumn("Code").AddColumn(new TableColumn("Rows").RightAligned());
                foreach (var u in report.TopUnmappedCodes.Take(10)) unmapped.AddRow(Markup.Escape(u.Table), Markup.Escape(u.Vocabulary), Markup.Escape(u.Code), u.Count.ToString("N0", CultureInfo.InvariantCulture));
                AnsiConsole.Write(unmapped);
            }
        }
        if (output is { Outcome: RunOutcome.Completed, ManifestPath: { } manifestPath, ReportPath: { } reportFile })
        {
            var lake = runtime.Lakes.Lake.Location;
            AnsiConsole.MarkupLine("[bold]Where to look next[/]");
            AnsiConsole.MarkupLine($"  commit manifest: {Markup.Escape(Path.Combine(lake, manifestPath))}");
            AnsiConsole.MarkupLine($"  run report:      {Markup.Escape(Path.Combine(lake, reportFile))}");
            AnsiConsole.MarkupLine($"  quarantine (PHI, restricted): {Markup.Escape(runtime.Lakes.Quarantine.Location)}");
            AnsiConsole.MarkupLine($"  DuckDB:          SELECT count(*) FROM read_parquet('{Markup.Escape(lake)}/omop/person/run={Markup.Escape(runId)}/*.parquet');");
            AnsiConsole.MarkupLine($"  status:          Ingestion.Cli status {Markup.Escape(runId)} --lake {Markup.Escape(lake)}   (docs/lake-layout.md, docs/orchestration.md)");
        }
    }
}
