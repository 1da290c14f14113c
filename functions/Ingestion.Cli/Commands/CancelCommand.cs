using System.CommandLine;
using Ingestion.Orchestration;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask.Client;

namespace Ingestion.Cli.Commands;

/// <summary>`cancel ID`: raises the Cancel event; the run stops scheduling files, deletes the server export and ends Canceled with what was done.</summary>
internal static class CancelCommand
{
    public static Command Create() => RunCommandContext.Create("cancel", "Cancel a run: it stops scheduling files, deletes the server's export and ends as Canceled.", async (_, runtime, id, ct) =>
    {
        var instance = await runtime.Client.GetInstanceAsync(id!, getInputsAndOutputs: false, ct);
        if (instance is null || instance.IsCompleted)
        {
            await Console.Error.WriteLineAsync(instance is null
                ? $"Run '{id}' is not in this Durable task hub."
                : $"Run '{id}' already ended ({instance.RuntimeStatus}).");
            return 1;
        }
        var who = Environment.UserName;
        await runtime.Client.RaiseEventAsync(id!, OrchestrationEvents.Cancel, who, ct);
        await runtime.Catalog.AppendAuditAsync(new AuditEntry(id!, "cancel-requested", "CancelRequested", DateTimeOffset.UtcNow) { Actor = who }, ct);
        Console.WriteLine($"Cancel sent to run {id}; it ends as Canceled once the files in flight are done.");
        return 0;
    }, reachesRunningRuns: true);
}
