using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Hosting;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;
using Spectre.Console;

namespace Ingestion.Cli.Commands;

/// <summary>
/// Runs the pipeline's workers until one run is terminal, with a live Spectre.Console progress display, then
/// prints the run summary (rows per table, quarantine reasons, top unmapped codes, time, throughput) and where
/// to look next. Exit code 0 when the run Completed, 1 otherwise (reason on stderr).
/// </summary>
internal static class RunConsole
{
    public static async Task<int> RunAsync(EmbeddedPipeline pipeline, string instanceId, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        RunStatus? final = null;
        try
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var export = context.AddTask("Export: kick-off", maxValue: 1);
                    var files = context.AddTask("Files: waiting for the manifest", maxValue: 1, autoStart: false);
                    var progress = new InlineProgress(status =>
                    {
                        var c = status.CustomStatus;
                        export.Description = Markup.Escape($"Export: {c.Phase}{(c.Progress is null ? "" : $" (server: {c.Progress})")}");
                        if (c.Phase >= RunPhase.Processing)
                        {
                            export.Value = 1;
                            if (!files.IsStarted) files.StartTask();
                            files.MaxValue = Math.Max(1, c.FilesTotal);
                            files.Value = c.FilesDone + c.FilesFailed;
                            files.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                                $"Files {c.FilesDone + c.FilesFailed}/{c.FilesTotal}: {c.ResourcesRead:N0} resources, {c.ResourcesQuarantined:N0} quarantined, {c.RowsByTable.Values.Sum():N0} rows"));
                        }
                    });
                    final = await pipeline.Host.RunUntilTerminalAsync(instanceId, progress, cancellationToken);
                    export.Value = export.MaxValue;
                    files.Value = files.MaxValue;
                });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"Interrupted. Run {instanceId} is checkpointed: `resume {instanceId}` continues it where it stood.");
            return 1;
        }
        watch.Stop();
        await PrintSummaryAsync(pipeline, final!, watch.Elapsed, cancellationToken);
        if (final!.RuntimeStatus == RuntimeStatus.Completed) return 0;
        await Console.Error.WriteLineAsync($"Run {instanceId} {final.RuntimeStatus}: {final.CustomStatus.FailureReason ?? "no reason recorded"}");
        foreach (var failed in final.Output?.FailedFiles ?? [])
            await Console.Error.WriteLineAsync($"  file {failed.Index} ({failed.Type}): {failed.Reason}");
        if (final.RuntimeStatus == RuntimeStatus.Failed) await Console.Error.WriteLineAsync($"Fix the cause, then `resume {instanceId}` retries the failed files.");
        return 1;
    }

    private static async Task PrintSummaryAsync(EmbeddedPipeline pipeline, RunStatus status, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var c = status.CustomStatus;
        RunReport? report = null;
        if (status.Output?.ReportPath is { } reportPath)
        {
            await using var stream = await pipeline.Lake.OpenReadAsync(reportPath, cancellationToken);
            report = await JsonSerializer.DeserializeAsync<RunReport>(stream, StateJson.Options, cancellationToken);
        }
        var rows = report?.Totals.RowsByTable ?? c.RowsByTable;
        var table = new Table().Title("Rows per OMOP table").AddColumn("Table").AddColumn(new TableColumn("Rows").RightAligned());
        foreach (var (name, count) in rows) table.AddRow(Markup.Escape(name), count.ToString("N0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);

        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Run [bold]{Markup.Escape(status.InstanceId)}[/] {status.RuntimeStatus}: {c.ResourcesRead:N0} resources read ({c.Bytes / 1048576.0:F1} MB) in {elapsed.TotalSeconds:F1} s = {c.ResourcesRead / seconds:N0} resources/s; {c.ResourcesValid:N0} mapped, {c.ResourcesNotCovered:N0} of types not mapped, {c.ResourcesQuarantined:N0} quarantined, {c.Deletions:N0} deletions."));
        if (report is not null)
        {
            if (report.QuarantinedByReason.Count > 0)
            {
                var reasons = new Table().Title("Quarantined, by reason").AddColumn("Reason").AddColumn(new TableColumn("Lines").RightAligned());
                foreach (var (reason, n) in report.QuarantinedByReason.OrderByDescending(kv => kv.Value)) reasons.AddRow(Markup.Escape(reason), n.ToString("N0", CultureInfo.InvariantCulture));
                AnsiConsole.Write(reasons);
            }
            if (report.NotCoveredByResourceType.Count > 0)
                AnsiConsole.MarkupLine("Resource types not mapped to OMOP: " + Markup.Escape(string.Join(", ", report.NotCoveredByResourceType.Select(kv => $"{kv.Key} {kv.Value:N0}"))));
            if (report.TopUnmappedCodes.Count > 0)
            {
                var unmapped = new Table().Title("Top unmapped codes (concept_id 0)").AddColumn("Table").AddColumn("Vocabulary").AddColumn("Code").AddColumn(new TableColumn("Rows").RightAligned());
                foreach (var u in report.TopUnmappedCodes.Take(10)) unmapped.AddRow(Markup.Escape(u.Table), Markup.Escape(u.Vocabulary), Markup.Escape(u.Code), u.Count.ToString("N0", CultureInfo.InvariantCulture));
                AnsiConsole.Write(unmapped);
            }
        }
        if (status.RuntimeStatus == RuntimeStatus.Completed)
        {
            var lake = pipeline.Lake.Location;
            AnsiConsole.MarkupLine("[bold]Where to look next[/]");
            AnsiConsole.MarkupLine($"  commit manifest: {Markup.Escape(Path.Combine(lake, status.Output!.ManifestPath!))}");
            AnsiConsole.MarkupLine($"  run report:      {Markup.Escape(Path.Combine(lake, status.Output!.ReportPath!))}");
            AnsiConsole.MarkupLine($"  quarantine (PHI, restricted): {Markup.Escape(pipeline.Quarantine.Location)}");
            AnsiConsole.MarkupLine($"  DuckDB:          SELECT count(*) FROM read_parquet('{Markup.Escape(lake)}/omop/person/run={Markup.Escape(status.InstanceId)}/*.parquet');");
            AnsiConsole.MarkupLine($"  status:          Ingestion.Cli status {Markup.Escape(status.InstanceId)} --lake {Markup.Escape(lake)}   (docs/lake-layout.md, docs/orchestration.md)");
        }
    }

    /// <summary>Reports on the calling thread, in order.</summary>
    private sealed class InlineProgress(Action<RunStatus> report) : IProgress<RunStatus>
    {
        public void Report(RunStatus value) => report(value);
    }
}
