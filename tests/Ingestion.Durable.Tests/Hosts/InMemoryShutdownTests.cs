using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.History;
using Ingestion.Durable.InMemory;
using Ingestion.Durable.Tests.Orchestrations;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingestion.Durable.Tests.Hosts;

/// <summary>
/// A process on the in-memory backend ends as soon as its work is done: DTFx's graceful stop cancels the dispatchers'
/// fetches and looks at once whether one is still active — if so it sleeps a second and looks again.
/// </summary>
public sealed class InMemoryShutdownTests
{
    [Fact]
    public async Task A_waiting_fetch_ends_with_no_work_item_before_the_cancel_that_stops_it_returns()
    {
        using var service = new InMemoryOrchestrationService();
        using var stop = new CancellationTokenSource();
        var activity = service.LockNextTaskActivityWorkItem(TimeSpan.FromMinutes(5), stop.Token);
        var orchestration = service.LockNextTaskOrchestrationWorkItemAsync(TimeSpan.FromMinutes(5), stop.Token);
        Assert.False(activity.IsCompleted);
        Assert.False(orchestration.IsCompleted);

        stop.Cancel();

        Assert.True(activity.IsCompletedSuccessfully, "the activity fetch was still pending after the cancel returned");
        Assert.True(orchestration.IsCompletedSuccessfully, "the orchestration fetch was still pending after the cancel returned");
        Assert.Null(await activity);
        Assert.Null(await orchestration);
    }

    [Fact]
    public async Task Work_queued_after_a_fetch_was_cancelled_goes_to_the_next_fetch()
    {
        using var service = new InMemoryOrchestrationService();
        using (var stop = new CancellationTokenSource())
        {
            var cancelled = service.LockNextTaskActivityWorkItem(TimeSpan.FromMinutes(5), stop.Token);
            stop.Cancel();
            Assert.Null(await cancelled);
        }
        var waiting = service.LockNextTaskActivityWorkItem(TimeSpan.FromMinutes(5), CancellationToken.None);
        var message = new TaskMessage
        {
            OrchestrationInstance = new OrchestrationInstance { InstanceId = "i", ExecutionId = "e" },
            Event = new TaskScheduledEvent(1, nameof(SquareActivity)),
        };

        await service.AbandonTaskActivityWorkItemAsync(new TaskActivityWorkItem { TaskMessage = message });

        var taken = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Same(message, taken.TaskMessage);
    }

    [Fact]
    public async Task A_host_stopped_after_its_orchestration_completed_stops_without_draining_its_dispatchers()
    {
        var logs = new EventIdRecorder();
        using var host = await StartHostAsync(logs);
        var client = host.Services.GetRequiredService<DurableTaskClient>();
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(FanOutFanInOrchestrator), 5);
        using (var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            Assert.Equal(OrchestrationRuntimeStatus.Completed, (await client.WaitForInstanceCompletionAsync(id, cancellation: patience.Token)).RuntimeStatus);

        await host.StopAsync();

        // DTFx logs "Dispatchers are draining" (DispatchersStopping) each time its graceful stop has to wait a second.
        Assert.Contains("TaskHubWorkerStopped", logs.Names);
        Assert.DoesNotContain("DispatchersStopping", logs.Names);
    }

    [Fact]
    public async Task A_host_stopped_while_an_orchestration_waits_in_its_session_stops_without_draining_its_dispatchers()
    {
        var logs = new EventIdRecorder();
        using var host = await StartHostAsync(logs);
        var client = host.Services.GetRequiredService<DurableTaskClient>();
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), "someone");
        using (var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            // Its first episode ran (custom status set); its session now waits for the event that never comes.
            while ((await client.GetInstanceAsync(id, getInputsAndOutputs: true, patience.Token))?.SerializedCustomStatus is null)
                await Task.Delay(20, patience.Token);
        }

        await host.StopAsync();

        Assert.Contains("TaskHubWorkerStopped", logs.Names);
        Assert.DoesNotContain("DispatchersStopping", logs.Names);
    }

    private static async Task<IHost> StartHostAsync(EventIdRecorder logs)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddProvider(logs);
        builder.Services.AddSingleton<ActivityLedger>();
        builder.Services.AddDurableTaskFrameworkHost(o => o.Backend = DurableBackend.InMemory, TestTaskRegistry.Register);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private sealed class EventIdRecorder : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _names = new();

        public IReadOnlyCollection<string> Names => _names.ToArray();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name is { } name) _names.Enqueue(name);
        }

        public void Dispose()
        {
        }
    }
}
