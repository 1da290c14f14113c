using System.Collections.Concurrent;
using Microsoft.DurableTask;

namespace Ingestion.Durable.Tests.Orchestrations;

/// <summary>What the test activities did, per orchestration instance (a DI singleton, so activities resolve it).</summary>
public sealed class ActivityLedger
{
    private readonly ConcurrentDictionary<string, int> _calls = new();

    public int Record(string key) => _calls.AddOrUpdate(key, 1, (_, n) => n + 1);

    public int Count(string key) => _calls.GetValueOrDefault(key);
}

/// <summary>Fan-out/fan-in: one <see cref="SquareActivity"/> per item, summed.</summary>
public sealed class FanOutFanInOrchestrator : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int count)
    {
        var squares = await Task.WhenAll(Enumerable.Range(1, count)
            .Select(i => context.CallActivityAsync<int>(nameof(SquareActivity), i)));
        return squares.Sum();
    }
}

public sealed class SquareActivity(ActivityLedger ledger) : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input)
    {
        ledger.Record(context.InstanceId);
        return Task.FromResult(input * input);
    }
}

/// <summary>A durable-timer loop that reports each tick in its custom status.</summary>
public sealed class TimerLoopOrchestrator : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int ticks)
    {
        for (var tick = 1; tick <= ticks; tick++)
        {
            context.SetCustomStatus(new TickStatus(tick, ticks));
            await context.CreateTimer(context.CurrentUtcDateTime.AddMilliseconds(1500), CancellationToken.None);
        }
        return ticks;
    }
}

public sealed record TickStatus(int Tick, int Of);

/// <summary>Runs <see cref="FanOutFanInOrchestrator"/> as a sub-orchestration and doubles its result.</summary>
public sealed class ParentOrchestrator : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int count)
    {
        var child = await context.CallSubOrchestratorAsync<int>(nameof(FanOutFanInOrchestrator), count,
            new SubOrchestrationOptions { InstanceId = context.InstanceId + ":child" });
        return child * 2;
    }
}

/// <summary>Waits for an external "Approval" event, saying so in its custom status.</summary>
public sealed class ApprovalOrchestrator : TaskOrchestrator<string, string>
{
    public const string EventName = "Approval";

    public override async Task<string> RunAsync(TaskOrchestrationContext context, string requester)
    {
        context.SetCustomStatus("waiting for approval");
        var approver = await context.WaitForExternalEvent<string>(EventName);
        context.SetCustomStatus("approved");
        return $"{requester} approved by {approver}";
    }
}

/// <summary>Calls <see cref="FlakyActivity"/> under a retry policy of 3 attempts.</summary>
public sealed class RetryOrchestrator : TaskOrchestrator<int, int>
{
    public override Task<int> RunAsync(TaskOrchestrationContext context, int failuresBeforeSuccess) =>
        context.CallActivityAsync<int>(nameof(FlakyActivity), failuresBeforeSuccess,
            TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromMilliseconds(200))));
}

/// <summary>Fails its first N attempts per instance, then returns the attempt number.</summary>
public sealed class FlakyActivity(ActivityLedger ledger) : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int failuresBeforeSuccess)
    {
        var attempt = ledger.Record(context.InstanceId);
        if (attempt <= failuresBeforeSuccess)
            throw new InvalidOperationException($"planned failure {attempt} of {failuresBeforeSuccess}");
        return Task.FromResult(attempt);
    }
}

/// <summary>
/// Activities one after another; returns whether the run of its code that finished had started by replaying the
/// history (a new run per episode) rather than in the first episode (kept in memory between episodes).
/// </summary>
public sealed class SequenceOrchestrator : TaskOrchestrator<int, bool>
{
    public override async Task<bool> RunAsync(TaskOrchestrationContext context, int count)
    {
        var startedInReplay = context.IsReplaying;
        for (var i = 1; i <= count; i++) await context.CallActivityAsync<int>(nameof(SquareActivity), i);
        return startedInReplay;
    }
}

public static class TestTaskRegistry
{
    public static void Register(DurableTaskRegistry tasks)
    {
        tasks.AddOrchestrator<FanOutFanInOrchestrator>();
        tasks.AddOrchestrator<TimerLoopOrchestrator>();
        tasks.AddOrchestrator<ParentOrchestrator>();
        tasks.AddOrchestrator<ApprovalOrchestrator>();
        tasks.AddOrchestrator<RetryOrchestrator>();
        tasks.AddOrchestrator<SequenceOrchestrator>();
        tasks.AddActivity<SquareActivity>();
        tasks.AddActivity<FlakyActivity>();
    }
}
