using System.CommandLine;
using Ingestion.Orchestration;
using Ingestion.Storage.Catalog;

namespace Ingestion.Cli.Commands;

/// <summary>`terminate ID`: the Durable terminate (immediate, no clean-up: the server export is left to expire; nothing is published).</summary>
internal static class TerminateCommand
{
    public static Command Create() => RunCommandContext.Create("terminate", "Terminate a run at once (Durable terminate; no clean-up, nothing published). Prefer `cancel`.", async (_, runtime, id, ct) =>
    {
        var instance = await runtime.Client.GetInstanceAsync(id!, getInputsAndOutputs: false, ct);
        if (instance is null || instance.IsCompleted)
        {
            await Console.Error.WriteLineAsync(instance is null ? $"Run '{id}' is not in this Durable task hub." : $"Run '{id}' already ended ({instance.RuntimeStatus}).");
            return 1;
        }
        var who = Environment.UserName;
        // The run and its running file batches.
        await runtime.Client.TerminateRunAsync(id!, $"terminated by {who}", ct);
        await runtime.Catalog.UpdateRunAsync(id!, r => r.IsTerminal ? r : r with { Status = RunRecordStatus.Terminated, CompletedAt = DateTimeOffset.UtcNow, FailureReason = $"Terminated by {who}." }, ct);
        await runtime.Catalog.AppendAuditAsync(new AuditEntry(id!, "terminated", "Terminated", DateTimeOffset.UtcNow) { Actor = who }, ct);
        Console.WriteLine($"Run {id} terminated.");
        return 0;
    }, reachesRunningRuns: true);
}
