using System.Text;
using System.Text.Json;
using Ingestion.DemoServer;
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
        var pipeline = h.OpenPipeline(configure: o => o.MaxActivityAttempts = 2, logs: logs);
        var id = await pipeline.Client.StartNewAsync(h.ServerInput());

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(filesExpire ? RuntimeStatus.Failed : RuntimeStatus.Completed, status.RuntimeStatus);
        if (filesExpire) Assert.Contains(status.Output!.FailedFiles, f => f.Reason.Contains("/bulkfiles/", StringComparison.Ordinal));
        var outputs = new StringBuilder();
        outputs.AppendLine(JsonSerializer.Serialize(await pipeline.Client.GetStatusAsync(id, showHistory: true), StateJson.Options));
        await foreach (var item in pipeline.Lake.ListAsync(""))
        {
            if (item.Path.EndsWith(".parquet", StringComparison.Ordinal)) continue;
            await using var stream = await pipeline.Lake.OpenReadAsync(item.Path);
            outputs.AppendLine(await new StreamReader(stream).ReadToEndAsync());
        }
        foreach (var line in logs.Lines) outputs.AppendLine(line);
        var text = outputs.ToString();

        // The failing run names its files (so the scan looks at text that had a URL in it).
        if (filesExpire) Assert.Contains("/bulkfiles/", text, StringComparison.Ordinal);
        Assert.False(text.Contains("sig=", StringComparison.Ordinal), "a signed file URL leaked into the pipeline's output");
    }
}
