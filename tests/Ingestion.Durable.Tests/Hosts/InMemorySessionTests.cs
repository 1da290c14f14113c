using Ingestion.Durable.Tests.Orchestrations;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingestion.Durable.Tests.Hosts;

/// <summary>
/// On the in-memory backend an orchestration stays in memory between its episodes (extended sessions, as on Azure
/// Storage): its code is not replayed from the start for every activity result.
/// </summary>
public sealed class InMemorySessionTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)] // replayed from the start after each activity result
    public async Task An_orchestration_is_not_replayed_for_each_activity_result_with_extended_sessions(bool sessions, bool finishedInReplayedRun)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<ActivityLedger>();
        builder.Services.AddDurableTaskFrameworkHost(o =>
        {
            o.Backend = DurableBackend.InMemory;
            o.ExtendedSessions = sessions;
        }, TestTaskRegistry.Register);
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<DurableTaskClient>();
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(SequenceOrchestrator), 3);
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, patience.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(finishedInReplayedRun, done.ReadOutputAs<bool>());
        Assert.Equal(3, host.Services.GetRequiredService<ActivityLedger>().Count(id));
        await host.StopAsync();
    }
}
