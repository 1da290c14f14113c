using Ingestion.Durable;
using Ingestion.Testing.StandIns;
using Microsoft.DurableTask.Client;

namespace Ingestion.Orchestration.Tests;

/// <summary>
/// Terminate and purge act on the whole run: its file batch sub-orchestrations stop and go with it, on the
/// in-process test host and on the standalone host's Durable Task Framework worker (in memory and Azure Storage).
/// </summary>
public sealed class TerminatePurgeTests
{
    public static TheoryData<string> Hosts => ["in-process", "dtfx-in-memory", "dtfx-azurite"];

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Terminating_a_run_stops_its_running_file_batch_and_purging_it_removes_the_batches_history(string host)
    {
        await using var azurite = host == "dtfx-azurite" ? await AzuriteProcess.StartAsync() : null;
        var h = new OrchestrationHarness();
        await using var _ = h;
        await (host switch
        {
            "in-process" => h.StartAsync(),
            "dtfx-in-memory" => h.StartOnDurableTaskFrameworkAsync(o => o.Backend = DurableBackend.InMemory),
            _ => h.StartOnDurableTaskFrameworkAsync(o =>
            {
                o.StorageConnection = azurite!.ConnectionString;
                o.TaskHubName = "term" + Guid.NewGuid().ToString("N")[..12];
                o.PartitionCount = 1;
                o.MaxQueuePollingInterval = TimeSpan.FromMilliseconds(500);
            }),
        });
        h.Settings = h.Settings with { MaxParallelFiles = 1, FilesPerBatch = 20 };
        h.Files.Delay = TimeSpan.FromMilliseconds(250);
        h.Server.ThenManifest(40);
        var runId = "term-" + host;
        await h.Client.ScheduleNewOrchestrationInstanceAsync(nameof(ExportOrchestrator), h.Input(), new Microsoft.DurableTask.StartOrchestrationOptions { InstanceId = runId });
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
            while (h.Files.Calls < 2) await Task.Delay(50, wait.Token);
        var batch = RunIds.ForBatch(runId, 0);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var terminated = await h.Client.TerminateRunAsync(runId, "terminated by test", timeout.Token);

        terminated.Should().Be(2, "the run and its one running batch");
        (await h.Client.GetInstanceAsync(runId))!.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Terminated);
        (await h.Client.WaitForInstanceCompletionAsync(batch, cancellation: timeout.Token)).RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Terminated);
        var callsAtTerminate = h.Files.Calls;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        h.Files.Calls.Should().BeLessThanOrEqualTo(callsAtTerminate + 1, "the batch schedules no file after it was terminated (one may have been in flight)");
        h.Files.Calls.Should().BeLessThan(20);
        h.Publishing.Publishes.Should().Be(0);

        var purged = await h.Client.PurgeRunAsync(runId, timeout.Token);

        purged.Should().Be(2);
        (await h.Client.GetInstanceAsync(runId)).Should().BeNull();
        (await h.Client.GetInstanceAsync(batch)).Should().BeNull("the batch's history goes with its run");
    }
}
