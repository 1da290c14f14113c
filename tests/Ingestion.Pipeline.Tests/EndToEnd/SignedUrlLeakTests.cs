using System.Text;
using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Orchestration;
using Ingestion.Storage.Catalog;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// Signed file URLs (<c>?sig=</c>, a credential) never reach the pipeline's logs, run status and history, failure
/// reasons or the lake's reports, on a run that recovers from faults and on one that fails on its files
/// (docs/security.md).
/// </summary>
public sealed class SignedUrlLeakTests
{
    private static readonly DemoServerOptions Demo = new() { Patients = 3, Seed = 7, ResourcesPerFile = 50, SignFileUrls = true };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_file_signature_appears_in_logs_status_history_failure_reasons_or_lake_reports(bool filesExpire)
    {
        var faults = filesExpire
            ? new DemoFaults { FilesExpiredPermanently = true }
            : new DemoFaults { TransientFile = 2, DropConnection = 2, ExpiredFile = 1, DropConnectionAfterBytes = 500 };
        await using var h = await DemoPipelineHarness.StartAsync(Demo with { Faults = faults });
        var logs = new CapturingLoggerFactory();
        var pipeline = await h.OpenPipelineAsync(new Dictionary<string, string?> { ["Pipeline:MaxActivityAttempts"] = "2" }, logs: logs);
        var id = await pipeline.StartNewAsync(h.ServerInput());

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(filesExpire ? RunOutcome.Failed : RunOutcome.Completed, status.Outcome);
        var files = new List<RunFileRecord>();
        await foreach (var file in pipeline.Runtime.Catalog.ListFilesAsync(id, CancellationToken.None)) files.Add(file);
        // The failing run names its failed files (index and type) with an actionable reason.
        if (filesExpire) Assert.Contains(files, f => f.Status == RunFileStatus.Failed && f.FailureReason?.Contains($"File {f.Index} ({f.ResourceType})", StringComparison.Ordinal) == true);
        // Every output a person reads, by where it comes from (a leak names its source, never the text around it).
        var outputs = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        void Add(string source, string? text) => (outputs.TryGetValue(source, out var b) ? b : outputs[source] = new StringBuilder()).AppendLine(text);
        Add("catalog run", JsonSerializer.Serialize(status.Run, StateJson.Options));
        // File rows keep their download URL on purpose (durable state, docs/security.md); everything else of them is shown.
        foreach (var file in files) Add("catalog files", JsonSerializer.Serialize(file with { Url = "" }, StateJson.Options));
        await foreach (var entry in pipeline.Runtime.Catalog.ListAuditAsync(id, CancellationToken.None)) Add("audit trail", JsonSerializer.Serialize(entry, StateJson.Options));
        var instance = await pipeline.Runtime.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Add("orchestration status", instance?.SerializedOutput);
        Add("orchestration status", instance?.SerializedCustomStatus);
        Add("orchestration status", instance?.FailureDetails?.ToString());
        await foreach (var item in pipeline.Lake.ListAsync(""))
        {
            if (item.Path.EndsWith(".parquet", StringComparison.Ordinal)) continue;
            await using var stream = await pipeline.Lake.OpenReadAsync(item.Path);
            Add("lake objects", await new StreamReader(stream).ReadToEndAsync());
        }
        foreach (var line in logs.Lines) Add("logs", line);

        // The failing run's logs name its files (so the scan looks at text that had a URL in it).
        if (filesExpire) Assert.Contains("/bulkfiles/", outputs["logs"].ToString(), StringComparison.Ordinal);
        var leaks = outputs.Where(o => o.Value.ToString().Contains("sig=", StringComparison.Ordinal)).Select(o => o.Key).ToList();
        Assert.True(leaks.Count == 0, "a signed file URL leaked into: " + string.Join(", ", leaks));
    }
}
