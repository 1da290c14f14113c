using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Ingestion.Cli.Commands;

/// <summary>`runs`: lists the runs in the state store, newest first (id, status, phase, files, resources, created).</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var shared = new PipelineCommandOptions();
        var command = new Command("runs", "List export runs, newest first.");
        shared.AddTo(command, storageOnly: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = PipelineCommandOptions.LoadConfiguration();
            await using var pipeline = PipelineSession.TryOpen(shared.Settings(parse, configuration, ephemeralKey: true), null, out var exit);
            if (pipeline is null) return exit;
            var table = new Table().AddColumn("Instance id").AddColumn("Status").AddColumn("Phase").AddColumn("Source").AddColumn("Created (UTC)");
            foreach (var run in await pipeline.Client.ListAsync(cancellationToken))
            {
                table.AddRow(Markup.Escape(run.InstanceId), run.RuntimeStatus.ToString(), run.CustomStatus.Phase.ToString(), Markup.Escape(run.Input.SourceId),
                    run.CreatedTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
