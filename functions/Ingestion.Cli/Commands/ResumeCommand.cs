using System.CommandLine;
using Ingestion.Pipeline.State;

namespace Ingestion.Cli.Commands;

/// <summary>`resume ID`: continues an interrupted run where it stood, or retries the failed files of a Failed run, and follows it to the end.</summary>
internal static class ResumeCommand
{
    public static Command Create()
    {
        var shared = new PipelineCommandOptions();
        var id = new Argument<string>("ID") { Description = "The run's instance id." };
        var command = new Command("resume", "Continue an interrupted run, or retry a failed run's failed files.");
        command.Arguments.Add(id);
        shared.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = PipelineCommandOptions.LoadConfiguration();
            var settings = shared.Settings(parse, configuration);
            await using var pipeline = PipelineSession.TryOpen(settings, PipelineCommandOptions.Validator(configuration, settings.Pipeline.StrictValidation), out var exit);
            if (pipeline is null) return exit;
            var instanceId = parse.GetValue(id)!;
            try
            {
                if (!await pipeline.Client.ResumeAsync(instanceId, cancellationToken))
                {
                    var status = await pipeline.Client.GetStatusAsync(instanceId, false, cancellationToken);
                    await Console.Error.WriteLineAsync($"Run {instanceId} is {status!.RuntimeStatus}: nothing to resume.");
                    return 1;
                }
            }
            catch (RunNotFoundException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 1;
            }
            return await RunConsole.RunAsync(pipeline, instanceId, cancellationToken);
        });
        return command;
    }
}
