using System.CommandLine;
using Ingestion.Pipeline.State;

namespace Ingestion.Cli.Commands;

/// <summary>`cancel ID`: stops scheduling the run's work, DELETEs the server's export and marks the run Canceled.</summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var shared = new PipelineCommandOptions();
        var id = new Argument<string>("ID") { Description = "The run's instance id." };
        var reason = new Option<string>("--reason") { Description = "Recorded in the run's history.", DefaultValueFactory = _ => "canceled by operator" };
        var command = new Command("cancel", "Cancel a run (and delete its export on the FHIR server).");
        command.Arguments.Add(id);
        command.Options.Add(reason);
        shared.AddTo(command, storageOnly: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = PipelineCommandOptions.LoadConfiguration();
            await using var pipeline = PipelineSession.TryOpen(shared.Settings(parse, configuration, ephemeralKey: true), null, out var exit);
            if (pipeline is null) return exit;
            try
            {
                if (await pipeline.Client.CancelAsync(parse.GetValue(id)!, parse.GetValue(reason)!, cancellationToken))
                {
                    Console.WriteLine($"Run {parse.GetValue(id)} canceled.");
                    return 0;
                }
                await Console.Error.WriteLineAsync($"Run {parse.GetValue(id)} had already finished.");
                return 1;
            }
            catch (RunNotFoundException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 1;
            }
        });
        return command;
    }
}
