using Ingestion.DemoServer;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Tests.EndToEnd;

public sealed class FaultSwitchTests
{
    private static readonly DemoServerOptions Demo = new() { Patients = 5, Seed = 5, ResourcesPerFile = 100, DefectRate = 0 };

    public static TheoryData<string> Recoverable() => new(["throttle-kickoff", "throttle-status", "transient-kickoff", "transient-status", "transient-file", "drop-connection", "expired-file"]);

    [Theory]
    [MemberData(nameof(Recoverable))]
    public async Task A_run_completes_with_every_resource_despite_a_recoverable_server_fault(string fault)
    {
        await using var h = await DemoPipelineHarness.StartAsync(Demo with { Faults = new DemoFaults().With(fault) with { ThrottleRetryAfterSeconds = 1 } });
        var pipeline = await h.OpenPipelineAsync();
        var id = await pipeline.StartNewAsync(h.ServerInput());

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RunOutcome.Completed, status.Outcome);
        Assert.Equal(h.Server.Expected.TotalLines, status.Totals.ResourcesRead);
        var f = h.Server.FaultsInjected;
        // The fault really fired (so the test proves recovery, not a quiet server).
        Assert.True(f.ThrottledKickOffs + f.ThrottledStatusRequests + f.TransientKickOffs + f.TransientStatusRequests + f.TransientFiles + f.DroppedConnections + f.ExpiredFiles > 0);
    }

    [Fact]
    public async Task Files_expired_for_good_fail_the_run_with_an_actionable_reason_instead_of_hanging()
    {
        await using var h = await DemoPipelineHarness.StartAsync(Demo with { Faults = new DemoFaults { FilesExpiredPermanently = true } });
        var pipeline = await h.OpenPipelineAsync(settings: new Dictionary<string, string?> { ["Pipeline:MaxActivityAttempts"] = "2" });
        var id = await pipeline.StartNewAsync(h.ServerInput());

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RunOutcome.Failed, status.Outcome);
        var failed = new List<Storage.Catalog.RunFileRecord>();
        await foreach (var file in pipeline.Runtime.Catalog.ListFilesAsync(id, CancellationToken.None))
            if (file.Status == Storage.Catalog.RunFileStatus.Failed) failed.Add(file);
        Assert.NotEmpty(failed);
        Assert.All(failed, f => Assert.Contains("410", f.FailureReason));
        Assert.All(failed, f => Assert.Contains("run a new export", f.FailureReason));
        Assert.All(failed, f => Assert.Equal(1, f.Attempts));
        Assert.Contains("files failed", status.Output.FailureReason);
        Assert.Null(await pipeline.Lake.GetAsync(LakePaths.RunManifest(id)));
    }

    [Fact]
    public async Task The_servers_error_file_is_counted_and_kept_in_quarantine()
    {
        await using var h = await DemoPipelineHarness.StartAsync(Demo with { Faults = new DemoFaults { ErrorFile = true } });
        var pipeline = await h.OpenPipelineAsync();
        var id = await pipeline.StartNewAsync(h.ServerInput());

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RunOutcome.Completed, status.Outcome);
        Assert.True(status.Totals.ServerErrors > 0);
        var records = await DemoPipelineHarness.QuarantineRecordsAsync(pipeline, id);
        Assert.Equal(status.Totals.ServerErrors, records.Count(r => r.GetProperty("reason").GetString() == "server-error"));
    }
}
