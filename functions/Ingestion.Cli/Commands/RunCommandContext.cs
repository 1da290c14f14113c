using System.CommandLine;
using Ingestion.Cli.Hosting;

namespace Ingestion.Cli.Commands;

/// <summary>The plumbing of the run management commands (runs, status, cancel, terminate, purge, retry): options, runtime, one-line errors.</summary>
internal static class RunCommandContext
{
    /// <param name="reachesRunningRuns">The command acts on a running orchestration (cancel, terminate): on the in-memory
    /// backend that run lives in the process that started it, so this process cannot reach it and says so.</param>
    public static Command Create(string name, string description, Func<ParseResult, PipelineRuntime, string?, CancellationToken, Task<int>> action, bool withId = true, bool needsKey = false, bool reachesRunningRuns = false)
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
                if (reachesRunningRuns && !runtime.IsCrashDurable)
                {
                    await Console.Error.WriteLineAsync(InMemoryRunUnreachable(name));
                    return 1;
                }
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

    /// <summary>Why `cancel`/`terminate` cannot work without a Durable storage connection, and what to do instead.</summary>
    private static string InMemoryRunUnreachable(string command) =>
        $"`{command}` cannot reach a run of another process: without Durable__StorageConnection runs use the in-memory backend and live only in the process that started them. " +
        "Stop that process (Ctrl+C) instead — rerunning is safe, the data path is idempotent — or set Durable__StorageConnection (Azure Storage or Azurite) so runs can be managed from any process.";
}
