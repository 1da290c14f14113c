using System.CommandLine;
using Ingestion.Orchestration;

namespace Ingestion.Cli.Commands;

/// <summary>`retry ID`: a new run that processes only a failed run's failed files (from the same server export) and publishes the whole run.</summary>
internal static class RetryCommand
{
    public static Command Create() => RunCommandContext.Create("retry", "Start a new run that processes a failed run's failed files again (while the server keeps the export).", async (_, runtime, id, ct) =>
    {
        RunStartResult started;
        try
        {
            started = await runtime.Starter.RetryAsync(id!, Environment.UserName, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        if (started.Outcome != RunStartOutcome.Started)
        {
            await Console.Error.WriteLineAsync(started.Detail);
            return 1;
        }
        Console.WriteLine($"Run {started.RunId} retries the failed files of {id}.");
        return await RunConsole.FollowAsync(runtime, started.RunId, ct);
    }, needsKey: true);
}
