using System.Diagnostics;
using System.Net;
using Ingestion.Fhir.BulkData;
using Ingestion.Storage.Catalog;

namespace Ingestion.Orchestration.Tests;

/// <summary>Kick-off and the status poll loop: Retry-After, maximum wait, refusals and transient errors.</summary>
public sealed class ExportPollingTests
{
    [Fact]
    public async Task The_run_waits_as_Retry_After_says_and_records_the_servers_progress()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Server.ThenPending(TimeSpan.FromSeconds(1), "10%").ThenPending(TimeSpan.FromSeconds(1), "60%").ThenManifest(3);
        var clock = Stopwatch.StartNew();

        var (_, output) = await h.RunAsync(h.Input(), "poll-1");

        output.Outcome.Should().Be(RunOutcome.Completed);
        h.Server.Polls.Should().Be(3);
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.8), "two polls answered Retry-After: 1 s");
        var run = await h.Catalog.GetRunAsync("poll-1", CancellationToken.None);
        run!.Progress.Should().Be("60%");
        run.Status.Should().Be(RunRecordStatus.Completed);
    }

    [Fact]
    public async Task A_huge_Retry_After_is_clamped_to_the_maximum_poll_delay()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Server.ThenPending(TimeSpan.FromDays(1)).ThenManifest(1);

        var (_, output) = await h.RunAsync(h.Input(), "clamp-1", TimeSpan.FromSeconds(30));

        output.Outcome.Should().Be(RunOutcome.Completed);
    }

    [Fact]
    public async Task An_export_without_manifest_after_the_maximum_wait_fails_clearly_and_is_deleted()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Settings = h.Settings with { MaxExportWait = TimeSpan.FromSeconds(2) };
        h.Server.ThenAlways = job => Fakes.FakeExportSource.Pending(job, TimeSpan.FromMilliseconds(500));

        var (_, output) = await h.RunAsync(h.Input(), "maxwait-1");

        output.Outcome.Should().Be(RunOutcome.Failed);
        output.FailureReason.Should().Contain("maximum wait");
        h.Server.Deletes.Should().Be(1);
        h.Publishing.Publishes.Should().Be(0);
        (await h.Catalog.GetRunAsync("maxwait-1", CancellationToken.None))!.Status.Should().Be(RunRecordStatus.Failed);
    }

    [Fact]
    public async Task A_refused_kick_off_fails_at_once_with_the_servers_OperationOutcome_text()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Server.KickOff = (_, _) => throw new BulkExportKickOffException("The server refused the export kick-off at /fhir/$export.", HttpStatusCode.Forbidden, "Client is not authorized for system/*.read");

        var (_, output) = await h.RunAsync(h.Input(), "refused-1");

        output.Outcome.Should().Be(RunOutcome.Failed);
        output.FailureReason.Should().Contain("Client is not authorized for system/*.read");
        h.Server.KickOffs.Should().Be(1, "a refusal is not retried");
        h.Events().Should().ContainSingle(e => e.Type == Storage.RunEventType.RunFailed);
    }

    [Fact]
    public async Task Kick_off_429_and_503_are_retried_then_the_run_goes_on()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Server.KickOff = (attempt, _) => attempt switch
        {
            1 => throw new BulkExportKickOffException("Too many requests.", HttpStatusCode.TooManyRequests),
            2 => throw new BulkExportKickOffException("Unavailable.", HttpStatusCode.ServiceUnavailable),
            _ => new BulkExportJob("https://ehr.test/status/9", DateTimeOffset.UtcNow),
        };
        h.Server.ThenManifest(1);

        var (_, output) = await h.RunAsync(h.Input(), "kick-retry-1");

        output.Outcome.Should().Be(RunOutcome.Completed);
        h.Server.KickOffs.Should().Be(3);
    }

    [Fact]
    public async Task Kick_off_that_keeps_answering_503_fails_after_the_bounded_retries()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Server.KickOff = (_, _) => throw new BulkExportKickOffException("The server is unavailable.", HttpStatusCode.ServiceUnavailable);

        var (_, output) = await h.RunAsync(h.Input(), "kick-503-1");

        output.Outcome.Should().Be(RunOutcome.Failed);
        output.FailureReason.Should().Contain("unavailable");
        h.Server.KickOffs.Should().Be(h.Settings.MaxStepAttempts);
    }

    [Fact]
    public async Task Status_polls_that_keep_failing_with_5xx_fail_the_run_after_the_bounded_retries_and_delete_the_export()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Server.ThenAlways = _ => throw new BulkExportException("The status request failed.", HttpStatusCode.BadGateway);

        var (_, output) = await h.RunAsync(h.Input(), "poll-502-1");

        output.Outcome.Should().Be(RunOutcome.Failed);
        output.FailureReason.Should().Contain("status request failed");
        h.Server.Polls.Should().Be(h.Settings.MaxStepAttempts);
        h.Server.Deletes.Should().Be(1);
    }

    [Fact]
    public async Task The_whole_export_request_reaches_the_server_and_incremental_runs_send_the_watermark()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        var watermark = new DateTimeOffset(2026, 11, 30, 1, 2, 3, TimeSpan.Zero);
        await h.Catalog.AdvanceWatermarkAsync(new SourceWatermarkRecord("ehr", watermark, "earlier"), CancellationToken.None);
        h.Server.ThenManifest(1, transactionTime: watermark.AddDays(1));
        var input = h.Input() with
        {
            Incremental = true,
            Request = new BulkExportRequest
            {
                Level = BulkExportLevel.Patient, Patients = ["p1"], UsePost = true, Types = ["Patient"],
                TypeFilters = ["Patient?active=true"], Until = watermark.AddDays(2), Elements = ["id"],
            },
        };

        await h.RunAsync(input, "request-1");

        h.Server.Requests.Should().ContainSingle();
        var sent = h.Server.Requests.Single();
        sent.Level.Should().Be(BulkExportLevel.Patient);
        sent.Patients.Should().Equal("p1");
        sent.UsePost.Should().BeTrue();
        sent.TypeFilters.Should().Equal("Patient?active=true");
        sent.Elements.Should().Equal("id");
        sent.Until.Should().Be(watermark.AddDays(2));
        sent.Since.Should().Be(watermark);
        (await h.Catalog.GetWatermarkAsync("ehr", CancellationToken.None))!.TransactionTime.Should().Be(watermark.AddDays(1));
    }
}
