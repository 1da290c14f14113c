using Ingestion.Storage.Catalog;

namespace Ingestion.Orchestration.Tests;

/// <summary>Starting runs: one run per schedule slot, at most one run per source at a time.</summary>
public sealed class RunStarterTests
{
    [Fact]
    public async Task Two_ticks_for_the_same_slot_start_one_run_and_a_tick_while_it_runs_is_skipped_and_audited()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Sources.Sources["ehr"] = new SourceDefinition { Id = "ehr", FhirBaseUrl = new Uri("https://ehr.test/fhir/") };
        // Long enough that the run is still busy at the next tick on a loaded machine (1 s was not: the run had ended).
        h.Server.ThenAlways = job => Fakes.FakeExportSource.Pending(job, TimeSpan.FromSeconds(60));
        var slot = new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero);
        var starter = h.Starter(new Pipeline.PipelineOptions { MinPollDelay = TimeSpan.FromMilliseconds(200), MaxPollDelay = TimeSpan.FromSeconds(1) });

        var first = await starter.StartScheduledAsync("ehr", slot, CancellationToken.None);
        var second = await starter.StartScheduledAsync("ehr", slot, CancellationToken.None);
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            while (await h.Catalog.GetRunAsync(first.RunId, CancellationToken.None) is null) await Task.Delay(50, wait.Token);
        var nextSlot = await starter.StartScheduledAsync("ehr", slot.AddHours(1), CancellationToken.None);

        first.Outcome.Should().Be(RunStartOutcome.Started);
        first.RunId.Should().Be(RunIds.ForSchedule("ehr", slot));
        second.Should().Be(new RunStartResult(first.RunId, RunStartOutcome.AlreadyExists, second.Detail));
        nextSlot.Outcome.Should().Be(RunStartOutcome.SkippedSourceBusy);
        var audit = new List<AuditEntry>();
        await foreach (var e in h.Catalog.ListAuditAsync("source:ehr", CancellationToken.None)) audit.Add(e);
        audit.Should().ContainSingle(e => e.Action == "Skipped").Which.Detail.Should().Contain(first.RunId);
        // The run is recorded before it kicks off: wait for the kick-off, then there is exactly one.
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            while (h.Server.KickOffs == 0) await Task.Delay(50, wait.Token);
        h.Server.KickOffs.Should().Be(1);
        await h.Client.TerminateInstanceAsync(first.RunId);
    }
}
