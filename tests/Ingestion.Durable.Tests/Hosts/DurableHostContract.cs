using System.Text.Json;
using DurableTask.Core.Exceptions;
using Ingestion.Durable.Tests.Orchestrations;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Ingestion.Durable.Tests.Hosts;

/// <summary>
/// What every Durable backend owes the run orchestrations, checked through the abstract <see cref="DurableTaskClient"/>
/// the CLI, <c>serve</c> and the Functions app use.
/// </summary>
public abstract class DurableHostContract(DurableHostFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private DurableTaskClient Client => fixture.Client;

    private static string NewId(string what) => $"{what}-{Guid.NewGuid():N}";

    private async Task<OrchestrationMetadata> CompleteAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
    }

    [Fact]
    public async Task A_fan_out_runs_every_activity_through_DI_and_fans_in_their_results()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(FanOutFanInOrchestrator), 20,
            new StartOrchestrationOptions(NewId("fan")));

        var done = await CompleteAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(Enumerable.Range(1, 20).Sum(i => i * i), done.ReadOutputAs<int>());
        Assert.Equal(20, fixture.Ledger.Count(id));
        Assert.Equal(20, done.ReadInputAs<int>());
    }

    [Fact]
    public async Task A_timer_loop_waits_on_durable_timers_and_shows_its_progress_in_custom_status()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(TimerLoopOrchestrator), 3,
            new StartOrchestrationOptions(NewId("timer")));
        var started = DateTimeOffset.UtcNow;

        TickStatus? seen = null;
        using (var timeout = new CancellationTokenSource(Patience))
        {
            while (seen is null)
            {
                var running = await Client.GetInstanceAsync(id, getInputsAndOutputs: true, timeout.Token);
                if (running?.SerializedCustomStatus is not null) seen = running.ReadCustomStatusAs<TickStatus>();
                else await Task.Delay(50, timeout.Token);
            }
        }
        var done = await CompleteAsync(id);

        Assert.Equal(3, seen.Of);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(new TickStatus(3, 3), done.ReadCustomStatusAs<TickStatus>());
        // Three 1.5 s timers in sequence; Azure Storage may fire each up to ~1 s early, so at least 3 × 0.5 s passed.
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromMilliseconds(1500), "the timers did not wait");
    }

    [Fact]
    public async Task A_sub_orchestration_runs_to_completion_and_returns_to_its_parent()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(ParentOrchestrator), 5,
            new StartOrchestrationOptions(NewId("parent")));

        var done = await CompleteAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(2 * (1 + 4 + 9 + 16 + 25), done.ReadOutputAs<int>());
        var child = await Client.GetInstanceAsync(id + ":child", getInputsAndOutputs: true);
        Assert.NotNull(child);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, child.RuntimeStatus);
        Assert.Equal(nameof(FanOutFanInOrchestrator), child.Name);
    }

    [Fact]
    public async Task An_external_event_resumes_a_waiting_orchestration_with_its_payload()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), "alice",
            new StartOrchestrationOptions(NewId("approval")));
        await WaitForCustomStatusAsync(id, "waiting for approval");

        await Client.RaiseEventAsync(id, ApprovalOrchestrator.EventName, "bob");
        var done = await CompleteAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("alice approved by bob", done.ReadOutputAs<string>());
        Assert.Equal("approved", done.ReadCustomStatusAs<string>());
    }

    [Fact]
    public async Task A_failing_activity_is_retried_by_its_retry_policy_and_then_succeeds()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(RetryOrchestrator), 2,
            new StartOrchestrationOptions(NewId("retry")));

        var done = await CompleteAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(3, done.ReadOutputAs<int>());
        Assert.Equal(3, fixture.Ledger.Count(id));
    }

    [Fact]
    public async Task An_activity_that_keeps_failing_fails_the_orchestration_with_the_failure_details_after_its_attempts()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(RetryOrchestrator), 10,
            new StartOrchestrationOptions(NewId("fail")));

        var done = await CompleteAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Equal(3, fixture.Ledger.Count(id));
        Assert.NotNull(done.FailureDetails);
        Assert.Contains("planned failure 3 of 10", done.FailureDetails.ToString());
    }

    [Fact]
    public async Task Terminate_ends_a_waiting_orchestration_with_the_given_output()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), "carol",
            new StartOrchestrationOptions(NewId("terminate")));
        await WaitForCustomStatusAsync(id, "waiting for approval");

        await Client.TerminateInstanceAsync(id, "operator stopped it");
        var done = await CompleteAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, done.RuntimeStatus);
        Assert.Equal("operator stopped it", done.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Starting_an_instance_id_that_is_still_running_is_refused_and_leaves_the_running_one_alone()
    {
        var id = NewId("dedupe");
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), "dave", new StartOrchestrationOptions(id));
        await WaitForCustomStatusAsync(id, "waiting for approval");

        await Assert.ThrowsAsync<OrchestrationAlreadyExistsException>(() =>
            Client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), "eve", new StartOrchestrationOptions(id)));

        await Client.RaiseEventAsync(id, ApprovalOrchestrator.EventName, "frank");
        var done = await CompleteAsync(id);
        Assert.Equal("dave approved by frank", done.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Purge_removes_a_finished_instance_and_refuses_a_running_one()
    {
        var finished = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(FanOutFanInOrchestrator), 2,
            new StartOrchestrationOptions(NewId("purge")));
        await CompleteAsync(finished);
        var running = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), "gina",
            new StartOrchestrationOptions(NewId("purge-running")));
        await WaitForCustomStatusAsync(running, "waiting for approval");

        var purged = await Client.PurgeInstanceAsync(finished);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Client.PurgeInstanceAsync(running));

        Assert.Equal(1, purged.PurgedInstanceCount);
        Assert.Null(await Client.GetInstanceAsync(finished));
        Assert.NotNull(await Client.GetInstanceAsync(running));
        Assert.Equal(0, (await Client.PurgeInstanceAsync(finished)).PurgedInstanceCount);
        await Client.TerminateInstanceAsync(running, "test over");
    }

    [Fact]
    public async Task Listing_filters_by_instance_id_prefix_and_status_and_pages_through_every_match()
    {
        var prefix = NewId("list") + "-";
        for (var i = 0; i < 5; i++)
            await CompleteAsync(await Client.ScheduleNewOrchestrationInstanceAsync(nameof(FanOutFanInOrchestrator), 1,
                new StartOrchestrationOptions($"{prefix}{i}")));

        var found = new List<OrchestrationMetadata>();
        await foreach (var instance in Client.GetAllInstancesAsync(new OrchestrationQuery
        {
            InstanceIdPrefix = prefix,
            Statuses = [OrchestrationRuntimeStatus.Completed],
            PageSize = 2,
            FetchInputsAndOutputs = true,
        }))
        {
            found.Add(instance);
        }

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{prefix}{i}"), found.Select(f => f.InstanceId).Order(StringComparer.Ordinal));
        Assert.All(found, f => Assert.Equal(1, f.ReadOutputAs<int>()));
        var none = Client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = prefix, Statuses = [OrchestrationRuntimeStatus.Running] });
        await foreach (var _ in none) Assert.Fail("no instance of this prefix is running");
    }

    private async Task WaitForCustomStatusAsync(string instanceId, string expected)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var instance = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, timeout.Token);
            if (instance?.SerializedCustomStatus is { } status && JsonSerializer.Deserialize<string>(status) == expected) return;
            await Task.Delay(50, timeout.Token);
        }
    }
}

public sealed class InMemoryBackendTests(InMemoryHostFixture fixture)
    : DurableHostContract(fixture), IClassFixture<InMemoryHostFixture>;

public sealed class AzureStorageBackendTests(AzuriteHostFixture fixture)
    : DurableHostContract(fixture), IClassFixture<AzuriteHostFixture>;
