using System.CommandLine;
using System.Text.Json;
using Ingestion.Pipeline.State;

namespace Ingestion.Cli.Commands;

/// <summary>`status ID [--history]`: prints the run's Durable-Functions-style status JSON.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var shared = new PipelineCommandOptions();
        var id = new Argument<string>("ID") { Description = "The run's instance id (see `runs`)." };
        var history = new Option<bool>("--history") { Description = "Include the history events." };
        var command = new Command("status", "Show a run's status as JSON (runtimeStatus, customStatus, input, output, times).");
        command.Arguments.Add(id);
        command.Options.Add(history);
        shared.AddTo(command, storageOnly: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = PipelineCommandOptions.LoadConfiguration();
            await using var pipeline = PipelineSession.TryOpen(shared.Settings(parse, configuration, ephemeralKey: true), null, out var exit);
            if (pipeline is null) return exit;
            var status = await pipeline.Client.GetStatusAsync(parse.GetValue(id)!, parse.GetValue(history), cancellationToken);
            if (status is null)
            {
                await Console.Error.WriteLineAsync($"No run '{parse.GetValue(id)}' in {pipeline.Settings.Storage.ResolvedStatePath}.");
                return 1;
            }
            Console.WriteLine(JsonSerializer.Serialize(status, new JsonSerializerOptions(StateJson.Options) { WriteIndented = true }));
            return 0;
        });
        return command;
    }
}
