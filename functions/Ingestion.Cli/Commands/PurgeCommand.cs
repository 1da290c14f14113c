using System.CommandLine;
using Ingestion.Orchestration;
using Ingestion.Storage.Catalog;

namespace Ingestion.Cli.Commands;

/// <summary>
/// `purge ID`: removes an ended run's Durable history (with its file batches) and its catalog records. Published
/// lake data and the source's watermark are kept (the watermark never gets ahead of what is published).
/// </summary>
internal static class PurgeCommand
{
    public static Command Create() => RunCommandContext.Create("purge", "Remove an ended run's Durable history and catalog records (published lake data and the watermark stay).", async (_, runtime, id, ct) =>
    {
        var instance = await runtime.Client.GetInstanceAsync(id!, getInputsAndOutputs: false, ct);
        if (instance is { IsCompleted: false })
        {
            await Console.Error.WriteLineAsync($"Run '{id}' is {instance.RuntimeStatus}: cancel or terminate it first.");
            return 1;
        }
        var run = await runtime.Catalog.GetRunAsync(id!, ct);
        if (instance is null && run is null)
        {
            await Console.Error.WriteLineAsync($"No run '{id}'.");
            return 1;
        }
        if (instance is not null)
        {
            await runtime.Client.PurgeRunAsync(id!, ct);
        }
        if (run is not null)
        {
            await runtime.Catalog.DeleteRunAsync(id!, ct);
            // The run's own audit trail goes with it; the purge itself is recorded on the source.
            await runtime.Catalog.AppendAuditAsync(new AuditEntry("source:" + run.SourceId, "purged:" + id, "Purged", DateTimeOffset.UtcNow) { Actor = Environment.UserName, Detail = $"run {id} ({run.Status})" }, ct);
        }
        Console.WriteLine($"Run {id} purged (history and catalog records; published lake data kept).");
        return 0;
    });
}
