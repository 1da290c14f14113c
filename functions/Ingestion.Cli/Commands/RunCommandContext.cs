using System.CommandLine;
using Ingestion.Cli.Hosting;

namespace Ingestion.Cli.Commands;

/// <summary>The plumbing of the run management commands (runs, status, cancel, terminate, purge, retry): options, runtime, one-line errors.</summary>
internal static class RunCommandContext
{
    public static Command Create(string name, string description, Func<ParseResult, PipelineRuntime, string?, CancellationToken, Task<int>> action, bool withId = true, bool needsKey = false)
    {
        var shared = new PipelineCommandOptions();
        var id = new Argument<string>("ID") { Description = "The run id (see `runs`)." };
        var command = new Command(name, description);
        if (withId) command.Arguments.Add(id);
        shared.AddTo(command, storageOnly: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Reading and managing runs needs no de-identification key: a throwaway one keeps a missing Deid:Key from blocking it.
            var configuration = shared.Configuration(parse, PipelineCommandOptions.LoadConfiguration(), ephemeralKey: !needsKey);
            var (runtime, exit) = await RunSession.TryStartAsync(configuration, cancellationToken, quiet: true);
            if (runtime is null) return exit;
            await using (runtime)
            {
                try
                {
                    return await action(parse, runtime, withId ? parse.GetValue(id) : null, cancellationToken);
                }
                catch (Exception e) when (RunSession.Describe(e) is { } reason)
                {
                    await Console.Error.WriteLineAsync(reason);
                    return 1;
                }
            }
        });
        return command;
    }
}
