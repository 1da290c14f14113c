using System.CommandLine;
using System.Text.Json;
using Ingestion.Fhir.Net;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;

namespace Ingestion.Cli.Commands;

/// <summary>`status ID`: the run's catalog row (status, counters, times, key fingerprint, trigger), its Durable runtime status, its files and audit trail, as JSON.</summary>
internal static class StatusCommand
{
    public static Command Create() => RunCommandContext.Create("status", "Show a run as JSON: catalog row, Durable runtime status, files and audit trail.", async (_, runtime, id, ct) =>
    {
        var run = await runtime.Catalog.GetRunAsync(id!, ct);
        if (run is null)
        {
            await Console.Error.WriteLineAsync($"No run '{id}' in the run catalog.");
            return 1;
        }
        var instance = await runtime.Client.GetInstanceAsync(id!, getInputsAndOutputs: false, ct);
        var files = new List<RunFileRecord>();
        await foreach (var f in runtime.Catalog.ListFilesAsync(id!, ct)) files.Add(f with { ResultJson = null, Url = UrlRedaction.Redact(f.Url) }); // a file URL may be signed (?sig=): never print it
        var audit = new List<AuditEntry>();
        await foreach (var a in runtime.Catalog.ListAuditAsync(id!, ct)) audit.Add(a);
        var view = new
        {
            run = run with { InputJson = null },
            durable = instance is null ? null : new { runtimeStatus = instance.RuntimeStatus.ToString(), customStatus = instance.SerializedCustomStatus, instance.LastUpdatedAt },
            files,
            audit,
        };
        Console.WriteLine(JsonSerializer.Serialize(view, new JsonSerializerOptions(StateJson.Options) { WriteIndented = true }));
        return 0;
    });
}
