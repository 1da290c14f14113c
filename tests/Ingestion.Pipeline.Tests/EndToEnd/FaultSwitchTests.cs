using Ingestion.DemoServer;
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
        var pipeline = h.OpenPipeline();
        var id = await pipeline.Client.StartNewAsync(h.ServerInput());

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RuntimeStatus.Completed, status.RuntimeStatus);
        Assert.Equal(h.Server.Expected.TotalLines, status.CustomStatus.ResourcesRead);
        var f = h.Server.FaultsInjected;
        // The fault really fired (so the test proves recovery, not a quiet server).
        Assert.True(f.ThrottledKickOffs + f.ThrottledStatusRequests + f.TransientKickOffs + f.TransientStatusRequests + f.TransientFiles + f.DroppedConnections + f.ExpiredFiles > 0);
    }

    [Fact]
    public async Task Files_expired_for_good_fail_the_run_with_an_actionable_reason_instead_of_hanging()
    {
        await using var h = await DemoPipelineHarness.StartAsync(Demo with { Faults = new DemoFaults { FilesExpiredPermanently = true } });
        var pipeline = h.OpenPipeline(configure: o => o.MaxActivityAttempts = 2);
        var id = await pipeline.Client.StartNewAsync(h.ServerInput());

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RuntimeStatus.Failed, status.RuntimeStatus);
        Assert.NotEmpty(status.Output!.FailedFiles);
        Assert.All(status.Output.FailedFiles, f => Assert.Contains("410", f.Reason));
        Assert.Contains("resume", status.CustomStatus.FailureReason);
        Assert.Null(await pipeline.Lake.GetAsync(LakePaths.RunManifest(id)));
    }

    [Fact]
    public async Task The_servers_error_file_is_counted_and_kept_in_quarantine()
    {
        await using var h = await DemoPipelineHarness.StartAsync(Demo with { Faults = new DemoFaults { ErrorFile = true } });
        var pipeline = h.OpenPipeline();
        var id = await pipeline.Client.StartNewAsync(h.ServerInput());

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RuntimeStatus.Completed, status.RuntimeStatus);
        Assert.True(status.CustomStatus.ServerErrors > 0);
        var records = await DemoPipelineHarness.QuarantineRecordsAsync(pipeline, id);
        Assert.Equal(status.CustomStatus.ServerErrors, records.Count(r => r.GetProperty("reason").GetString() == "server-error"));
    }
}
