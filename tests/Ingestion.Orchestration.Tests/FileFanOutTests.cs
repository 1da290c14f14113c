using System.Net;
using Ingestion.Fhir.BulkData;
using Ingestion.Storage;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask.Client;

namespace Ingestion.Orchestration.Tests;

/// <summary>Fan-out of the manifest's files: the window, batching, retries, failures, publish once, cancel, key pinning.</summary>
public sealed class FileFanOutTests
{
    [Fact]
    public async Task No_more_files_than_MaxParallelFiles_are_in_flight()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Settings = h.Settings with { MaxParallelFiles = 3, QueuedFiles = 2 };
        h.Files.Delay = TimeSpan.FromMilliseconds(100);
        h.Server.ThenManifest(24);

        var (_, output) = await h.RunAsync(h.Input(), "window-1");

        output.Outcome.Should().Be(RunOutcome.Completed);
        h.Files.Calls.Should().Be(24);
        h.Files.MaxInFlight.Should().Be(3, "the two queued units wait in the worker for a slot");
    }

    [Fact]
    public async Task The_next_unit_is_already_in_the_worker_while_MaxParallelFiles_units_process_files()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Settings = h.Settings with { MaxParallelFiles = 1, QueuedFiles = 1 };
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Files.Hold = hold.Task;
        h.Server.ThenManifest(3);
        await h.Client.ScheduleNewOrchestrationInstanceAsync(nameof(ExportOrchestrator), h.Input(), new Microsoft.DurableTask.StartOrchestrationOptions { InstanceId = "queued-1" });

        // While the first file is held, the second unit has been scheduled and waits for the run's one slot.
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            while (h.Slots.Waiting("queued-1") < 1 || h.Files.Calls < 1) await Task.Delay(20, wait.Token);
        h.Files.Calls.Should().Be(1);
        hold.SetResult();
        var (_, output) = await h.WaitAsync("queued-1");

        output.Outcome.Should().Be(RunOutcome.Completed);
        h.Files.Calls.Should().Be(3);
        h.Files.MaxInFlight.Should().Be(1);
        h.Files.Started.Should().BeEquivalentTo([0, 1, 2]);
        h.Slots.Waiting("queued-1").Should().Be(0);
    }

    [Fact]
    public async Task The_next_batch_starts_once_the_running_batch_has_scheduled_its_last_unit()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Settings = h.Settings with { MaxParallelFiles = 1, QueuedFiles = 1, FilesPerBatch = 2 };
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Files.Hold = hold.Task;
        h.Server.ThenManifest(5);
        await h.Client.ScheduleNewOrchestrationInstanceAsync(nameof(ExportOrchestrator), h.Input(), new Microsoft.DurableTask.StartOrchestrationOptions { InstanceId = "overlap-1" });

        // Batch 0 (files 0, 1) has scheduled both while file 0 is held; batch 1 (files 2, 3) starts and queues its
        // two as well: three units wait for the run's one slot. Batch 2 waits until batch 1 has scheduled its last.
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            while (h.Slots.Waiting("overlap-1") < 3 || h.Files.Calls < 1) await Task.Delay(20, wait.Token);
        h.Files.Calls.Should().Be(1);
        hold.SetResult();
        var (_, output) = await h.WaitAsync("overlap-1");

        output.Outcome.Should().Be(RunOutcome.Completed);
        output.FilesDone.Should().Be(5);
        h.Files.Calls.Should().Be(5);
        h.Files.MaxInFlight.Should().Be(1);
        (await h.FilesOfAsync("overlap-1")).Should().OnlyContain(f => f.Status == RunFileStatus.Completed);
        h.Publishing.Publishes.Should().Be(1);
    }

    [Fact]
    public async Task An_export_of_2500_files_runs_in_sub_orchestrations_of_at_most_FilesPerBatch_files_each_once()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Settings = h.Settings with { MaxParallelFiles = 32, FilesPerBatch = 500 };
        h.Server.ThenManifest(2_500);

        var (_, output) = await h.RunAsync(h.Input(), "big-1", TimeSpan.FromMinutes(5));

        output.Outcome.Should().Be(RunOutcome.Completed);
        output.FilesDone.Should().Be(2_500);
        h.Files.Attempts.Should().HaveCount(2_500).And.OnlyContain(a => a.Value == 1);
        for (var batch = 0; batch < 5; batch++)
            (await h.Client.GetInstanceAsync(RunIds.ForBatch("big-1", batch))).Should().NotBeNull($"batch {batch} exists");
        (await h.Client.GetInstanceAsync(RunIds.ForBatch("big-1", 5))).Should().BeNull("2,500 files make five batches of 500");
        var run = await h.Catalog.GetRunAsync("big-1", CancellationToken.None);
        run!.Counters.FilesDone.Should().Be(2_500);
        run.Counters.ResourcesRead.Should().Be(25_000);
    }

    [Fact]
    public async Task Files_start_largest_first_across_the_whole_run_not_per_batch_in_manifest_order()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        // No queued unit: units scheduled together enter the worker's slots in the order they arrive there.
        h.Settings = h.Settings with { MaxParallelFiles = 1, QueuedFiles = 0, FilesPerBatch = 2 };
        h.Server.ThenManifestOfCounts(10, 500, 30, 30, 7_000, 1);

        var (_, output) = await h.RunAsync(h.Input(), "largest-first-1");

        output.Outcome.Should().Be(RunOutcome.Completed);
        h.Files.Started.Should().Equal([4, 1, 2, 3, 0, 5], "largest first, equal sizes in manifest order");
        (await h.FilesOfAsync("largest-first-1")).Select(f => f.Index).Should().Equal([0, 1, 2, 3, 4, 5], "file indexes (and so part names) stay the manifest's");
    }

    [Fact]
    public async Task Small_files_of_known_size_are_grouped_in_processing_order_and_big_files_stay_alone()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Settings = h.Settings with { MaxParallelFiles = 8, FileGroupBytes = 900 };
        h.Files.Delay = TimeSpan.FromMilliseconds(100);
        h.Server.ThenManifestOfSizes(100, 5_000, 200, 300, 400, 100);

        var (_, output) = await h.RunAsync(h.Input(), "groups-1");

        output.Outcome.Should().Be(RunOutcome.Completed);
        output.FilesDone.Should().Be(6);
        h.Files.MaxInFlight.Should().BeInRange(1, 3, "three work units ({1}, {4, 3, 2}, {0, 5}), not six files, with eight allowed in flight");
        h.Files.Attempts.Values.Should().OnlyContain(a => a == 1);
        (await h.FilesOfAsync("groups-1")).Should().OnlyContain(f => f.Status == RunFileStatus.Completed);
        var run = await h.Catalog.GetRunAsync("groups-1", CancellationToken.None);
        run!.Counters.FilesDone.Should().Be(6);
        run.Counters.ResourcesRead.Should().Be(60);
    }

    [Fact]
    public async Task A_group_runs_its_files_one_after_another_in_processing_order()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Settings = h.Settings with { MaxParallelFiles = 8, FileGroupBytes = 10_000 };
        h.Files.Delay = TimeSpan.FromMilliseconds(20);
        h.Server.ThenManifestOfSizes(100, 500, 200, 300, 400, 100);

        var (_, output) = await h.RunAsync(h.Input(), "groups-2");

        output.Outcome.Should().Be(RunOutcome.Completed);
        h.Files.MaxInFlight.Should().Be(1, "one group holds all six files");
        h.Files.Started.Should().Equal([1, 4, 3, 2, 0, 5], "largest first, equal sizes in manifest order");
    }

    [Fact]
    public async Task A_failing_file_of_a_group_gets_its_own_retries_and_failure_while_the_others_complete_once()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Settings = h.Settings with { MaxParallelFiles = 1, FileGroupBytes = 10_000 };
        h.Files.Failure = (index, _) => index == 1 ? new IOException("connection reset while reading file 1") : null;
        h.Server.ThenManifestOfSizes(400, 300, 200, 100);

        var (_, output) = await h.RunAsync(h.Input(), "group-failing-1");

        output.Outcome.Should().Be(RunOutcome.Failed);
        output.FilesDone.Should().Be(3);
        output.FilesFailed.Should().Be(1);
        h.Files.Attempts[0].Should().Be(1, "completed in the group, so its single run returns the recorded result");
        h.Files.Attempts[1].Should().Be(1 + h.Settings.MaxFileAttempts, "once in the group, then alone with the file retry policy");
        h.Files.Attempts[2].Should().Be(1, "the group stopped at file 1; file 2 runs alone");
        h.Files.Attempts[3].Should().Be(1);
        var files = await h.FilesOfAsync("group-failing-1");
        files.Single(f => f.Index == 1).Status.Should().Be(RunFileStatus.Failed);
        files.Single(f => f.Index == 1).FailureReason.Should().Contain("connection reset");
        files.Where(f => f.Index != 1).Should().OnlyContain(f => f.Status == RunFileStatus.Completed);
        (await h.Catalog.GetRunAsync("group-failing-1", CancellationToken.None))!.Counters.FilesDone.Should().Be(3, "no file counted twice");
    }

    [Fact]
    public async Task A_transient_failure_in_a_group_completes_the_run()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Settings = h.Settings with { MaxParallelFiles = 2, FileGroupBytes = 10_000 };
        h.Files.Failure = (index, attempt) => index == 2 && attempt == 1 ? new IOException("flaky") : null;
        h.Server.ThenManifestOfSizes(400, 300, 200, 100);

        var (_, output) = await h.RunAsync(h.Input(), "group-flaky-1");

        output.Outcome.Should().Be(RunOutcome.Completed);
        output.FilesDone.Should().Be(4);
        h.Files.Attempts[2].Should().Be(2);
        (await h.Catalog.GetRunAsync("group-flaky-1", CancellationToken.None))!.Counters.FilesDone.Should().Be(4);
    }

    [Fact]
    public async Task A_failing_file_is_retried_then_failed_with_its_reason_and_the_run_is_not_published()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Files.Failure = (index, _) => index == 2 ? new IOException("connection reset while reading file 2") : null;
        h.Server.ThenManifest(5);

        var (_, output) = await h.RunAsync(h.Input(), "failing-1");

        output.Outcome.Should().Be(RunOutcome.Failed);
        output.FilesFailed.Should().Be(1);
        output.FilesDone.Should().Be(4);
        h.Files.Attempts[2].Should().Be(h.Settings.MaxFileAttempts);
        var file = (await h.FilesOfAsync("failing-1")).Single(f => f.Index == 2);
        file.Status.Should().Be(RunFileStatus.Failed);
        file.Attempts.Should().Be(h.Settings.MaxFileAttempts);
        file.FailureReason.Should().Contain("connection reset");
        h.Publishing.Publishes.Should().Be(0);
        (await h.Catalog.GetWatermarkAsync("ehr", CancellationToken.None)).Should().BeNull("nothing was published");
        h.Server.Deletes.Should().Be(0, "the export is kept so `retry` can process the failed file");
        (await h.Catalog.GetRunAsync("failing-1", CancellationToken.None))!.Counters.FilesFailed.Should().Be(1);
    }

    [Fact]
    public async Task A_file_that_fails_twice_then_succeeds_completes_the_run()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Files.Failure = (index, attempt) => index == 1 && attempt < 3 ? new IOException("flaky") : null;
        h.Server.ThenManifest(3);

        var (_, output) = await h.RunAsync(h.Input(), "flaky-1");

        output.Outcome.Should().Be(RunOutcome.Completed);
        h.Files.Attempts[1].Should().Be(3);
    }

    [Fact]
    public async Task An_expired_file_url_fails_that_file_without_retries_and_says_to_run_a_new_export()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Files.Failure = (index, _) => index == 0 ? new BulkExportFileException("https://ehr.test/files/0.ndjson", "Patient", null, "gone", HttpStatusCode.Gone) : null;
        h.Server.ThenManifest(2);

        var (_, output) = await h.RunAsync(h.Input(), "gone-1");

        output.Outcome.Should().Be(RunOutcome.Failed);
        h.Files.Attempts[0].Should().Be(1);
        (await h.FilesOfAsync("gone-1")).Single(f => f.Index == 0).FailureReason.Should().Contain("run a new export");
    }

    [Fact]
    public async Task Reduce_publish_watermark_and_the_completed_event_happen_once()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        var transactionTime = new DateTimeOffset(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);
        h.Server.ThenManifest(6, errorFiles: 1, transactionTime: transactionTime);

        var (_, output) = await h.RunAsync(h.Input(), "once-1");

        output.Outcome.Should().Be(RunOutcome.Completed);
        output.ManifestPath.Should().Be("_runs/once-1/manifest.json");
        h.Publishing.Reduces.Should().Be(1);
        h.Publishing.Publishes.Should().Be(1);
        h.Publishing.PublishedFiles.Should().Be(7, "the error[] file is processed (as OperationOutcomes) like the others");
        h.Events().Should().ContainSingle().Which.EventId.Should().Be("once-1:RunCompleted");
        h.Server.Deletes.Should().Be(1);
        (await h.Catalog.GetWatermarkAsync("ehr", CancellationToken.None))!.TransactionTime.Should().Be(transactionTime);
        var run = await h.Catalog.GetRunAsync("once-1", CancellationToken.None);
        run!.Status.Should().Be(RunRecordStatus.Completed);
        run.Counters.FilesDone.Should().Be(7);
        run.ManifestPath.Should().Be(output.ManifestPath);
    }

    [Fact]
    public async Task Cancel_stops_scheduling_deletes_the_export_and_ends_canceled_with_what_was_done()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Settings = h.Settings with { MaxParallelFiles = 1 };
        h.Files.Delay = TimeSpan.FromMilliseconds(300);
        h.Server.ThenManifest(30);
        await h.Client.ScheduleNewOrchestrationInstanceAsync(nameof(ExportOrchestrator), h.Input(), new Microsoft.DurableTask.StartOrchestrationOptions { InstanceId = "cancel-1" });
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            while (h.Files.Calls < 2) await Task.Delay(50, wait.Token);

        await h.Client.RaiseEventAsync("cancel-1", OrchestrationEvents.Cancel, "operator");
        var (_, output) = await h.WaitAsync("cancel-1");

        output.Outcome.Should().Be(RunOutcome.Canceled);
        output.FailureReason.Should().Contain("operator");
        output.FilesDone.Should().BeLessThan(30);
        h.Files.Calls.Should().BeLessThan(30);
        h.Server.Deletes.Should().Be(1);
        h.Publishing.Publishes.Should().Be(0);
        (await h.Catalog.GetRunAsync("cancel-1", CancellationToken.None))!.Status.Should().Be(RunRecordStatus.Canceled);
    }

    [Fact]
    public async Task A_worker_with_another_de_identification_key_refuses_the_run_without_retry()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        h.Server.ThenManifest(1);

        var (_, output) = await h.RunAsync(h.Input() with { KeyFingerprint = "0123456789abcdef" }, "key-1");

        output.Outcome.Should().Be(RunOutcome.Failed);
        output.FailureReason.Should().Contain("de-identification key 0123456789abcdef");
        h.Server.KickOffs.Should().Be(0);
        h.Files.Calls.Should().Be(0);
        (await h.Catalog.GetRunAsync("key-1", CancellationToken.None))!.KeyFingerprint.Should().Be("0123456789abcdef");
    }

    [Fact]
    public async Task Retry_processes_only_the_failed_files_of_a_failed_run_and_publishes_the_whole_run()
    {
        await using var h = await new OrchestrationHarness().StartAsync();
        var broken = true;
        h.Files.Failure = (index, _) => index == 3 && broken ? new IOException("down") : null;
        h.Server.ThenManifest(4);
        await h.RunAsync(h.Input(), "to-retry-1");
        broken = false;
        h.Files.Attempts.Clear();

        var started = await h.Starter().RetryAsync("to-retry-1", "operator", CancellationToken.None);
        var (_, output) = await h.WaitAsync(started.RunId);

        started.Outcome.Should().Be(RunStartOutcome.Started);
        output.Outcome.Should().Be(RunOutcome.Completed);
        h.Files.Attempts.Keys.Should().Equal(3);
        h.Publishing.PublishedFiles.Should().Be(4);
        h.Server.KickOffs.Should().Be(1, "the retry reuses the failed run's export");
    }
}
