using DurableTask.Core;
using Ingestion.Durable.Client;
using Ingestion.Durable.InMemory;
using Ingestion.Durable.Tests.Orchestrations;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingestion.Durable.Tests.Hosts;

/// <summary>A CLI run on the in-memory backend notices its orchestration's end when it happens, not at the next poll.</summary>
public sealed class InMemoryCompletionWaitTests
{
    [Fact]
    public async Task Waiting_for_completion_on_the_in_memory_backend_returns_when_the_instance_ends_not_at_the_next_poll()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<ActivityLedger>();
        builder.Services.AddDurableTaskFrameworkHost(o => o.Backend = DurableBackend.InMemory, TestTaskRegistry.Register);
        using var host = builder.Build();
        await host.StartAsync();
        // A polling interval far beyond the test's patience: only the backend's completion signal can end the wait.
        var client = new TaskHubDurableTaskClient("slow-poll", (InMemoryOrchestrationService)host.Services.GetRequiredService<IOrchestrationService>(), JsonDataConverter.Default)
        {
            PollingInterval = TimeSpan.FromHours(1),
        };
        // One 1.5 s durable timer: still running at the wait's first look.
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TimerLoopOrchestrator), 1);
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, patience.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(1, done.ReadOutputAs<int>());
        await host.StopAsync();
    }
}
