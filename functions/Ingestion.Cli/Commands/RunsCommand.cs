using System.CommandLine;
using System.Globalization;
using Ingestion.Storage.Catalog;
using Spectre.Console;

namespace Ingestion.Cli.Commands;

/// <summary>`runs [--source ID] [--status S]`: the run catalog, newest first.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var source = new Option<string?>("--source") { Description = "Only this source's runs." };
        var status = new Option<RunRecordStatus?>("--status") { Description = "Only runs with this status." };
        var command = RunCommandContext.Create("runs", "List runs from the run catalog, newest first.", async (parse, runtime, _, ct) =>
        {
            var page = await runtime.Catalog.ListRunsAsync(new RunQuery { SourceId = parse.GetValue(source), Status = parse.GetValue(status), PageSize = 100 }, ct);
            var table = new Table().AddColumn("Run id").AddColumn("Status").AddColumn("Phase").AddColumn("Source").AddColumn("Trigger").AddColumn("Created (UTC)")
                .AddColumn(new TableColumn("Files done/failed/total").RightAligned()).AddColumn(new TableColumn("Resources").RightAligned());
            foreach (var run in page.Runs)
            {
                table.AddRow(Markup.Escape(run.RunId), run.Status.ToString(), Markup.Escape(run.Phase), Markup.Escape(run.SourceId), Markup.Escape(run.Trigger),
                    run.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    $"{run.Counters.FilesDone}/{run.Counters.FilesFailed}/{run.FilesTotal}", run.Counters.ResourcesRead.ToString("N0", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            return 0;
        }, withId: false);
        command.Options.Add(source);
        command.Options.Add(status);
        return command;
    }
}
