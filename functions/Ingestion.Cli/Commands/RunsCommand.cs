using System.CommandLine;
using System.Globalization;
using Ingestion.Storage.Catalog;

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
            // Plain columns (not a box table): readable in a narrow terminal and easy to pipe into grep/awk.
            Console.WriteLine($"{"RUN ID",-45} {"STATUS",-10} {"PHASE",-11} {"SOURCE",-24} {"TRIGGER",-8} {"CREATED (UTC)",-19} {"FILES OK/FAILED/ALL",19} {"RESOURCES",12}");
            foreach (var run in page.Runs)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{run.RunId,-45} {run.Status,-10} {run.Phase,-11} {run.SourceId,-24} {run.Trigger,-8} {run.CreatedAt.UtcDateTime,-19:yyyy-MM-dd HH:mm:ss} {$"{run.Counters.FilesDone}/{run.Counters.FilesFailed}/{run.FilesTotal}",19} {run.Counters.ResourcesRead,12:N0}"));
            }
            if (page.ContinuationToken is not null) Console.WriteLine("(more: narrow with --source or --status)");
            return 0;
        }, withId: false);
        command.Options.Add(source);
        command.Options.Add(status);
        return command;
    }
}
