using System.Globalization;
using Ingestion.Durable.Tests.Hosts;
using Ingestion.Durable.TestHost;
using Ingestion.Testing.StandIns;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Ingestion.Durable.Tests.Crash;

/// <summary>
/// The standalone host on the Azure Storage backend (Azurite) as separate worker processes: a worker killed with
/// SIGKILL in the middle of a fan-out is replaced by a restarted one and the run completes; two workers on one task
/// hub share the work. Activities are at-least-once, so each leaves a deterministic, idempotent effect and the test
/// checks the effects, not the number of attempts.
/// </summary>
public sealed class CrashDurabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Items = 30;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly string _effects = Path.Combine(Path.GetTempPath(), "durable-crash-" + Guid.NewGuid().ToString("N"));
    private AzuriteProcess? _azurite;
    private ServiceProvider? _clients;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_effects);
        _azurite = await AzuriteProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_clients is not null) await _clients.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
        Directory.Delete(_effects, recursive: true);
    }

    [Fact]
    public async Task A_worker_killed_during_its_activities_is_restarted_and_the_run_completes_with_every_effect_once()
    {
        var hub = TaskHubNames.Unique();
        var client = Client(hub);
        var first = await WorkerProcess.StartAsync(Settings(hub));
        var id = await client.ScheduleNewOrchestrationInstanceAsync(EffectFanOutOrchestrator.Name, Items);

        await WaitUntilAsync(() => Attempts(id).Count >= 6, "activities to start");
        first.KillHard();
        var beforeRestart = await client.GetInstanceAsync(id);
        var effectsAtKill = Effects(id).Count;
        await first.DisposeAsync();

        await using var second = await WorkerProcess.StartAsync(Settings(hub));
        var done = await WaitForCompletionAsync(client, id);

        // In flight at the kill. The backend sends the first episode's activity messages before it updates the
        // instance row, so on a loaded machine activities run while the row still says Pending.
        Assert.Contains(beforeRestart?.RuntimeStatus, new OrchestrationRuntimeStatus?[] { OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running });
        Assert.True(effectsAtKill < Items, "the worker was killed only after all activities had finished");
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(ExpectedSum, done.ReadOutputAs<long>());
        AssertEveryEffectOnce(id);
        var attempts = Attempts(id);
        Assert.Contains(attempts, a => a.Pid == second.ProcessId);
        output.WriteLine($"{attempts.Count} activity attempts for {Items} items ({effectsAtKill} effects when killed)");
    }

    [Fact]
    public async Task Two_workers_on_one_task_hub_share_the_fan_out_and_the_result_counts_every_item_once()
    {
        var hub = TaskHubNames.Unique();
        var client = Client(hub);
        await using var one = await WorkerProcess.StartAsync(Settings(hub));
        await using var two = await WorkerProcess.StartAsync(Settings(hub));

        var id = await client.ScheduleNewOrchestrationInstanceAsync(EffectFanOutOrchestrator.Name, Items);
        var done = await WaitForCompletionAsync(client, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(ExpectedSum, done.ReadOutputAs<long>());
        AssertEveryEffectOnce(id);
        var workers = Attempts(id).Select(a => a.Pid).Distinct().ToList();
        output.WriteLine($"activities ran in processes {string.Join(", ", workers)} (workers {one.ProcessId}, {two.ProcessId})");
        Assert.Equal(new[] { one.ProcessId, two.ProcessId }.Order(), workers.Order());
    }

    private static long ExpectedSum => Enumerable.Range(0, Items).Sum(i => (long)i * i);

    private Dictionary<string, string> Settings(string hub) => new()
    {
        ["Durable:StorageConnection"] = _azurite!.ConnectionString,
        ["Durable:TaskHubName"] = hub,
        ["Durable:PartitionCount"] = "2",
        ["Durable:MaxConcurrentActivities"] = "4",
        ["Durable:MaxQueuePollingInterval"] = "00:00:01",
        // Short leases and visibility so the takeover after SIGKILL happens within seconds, not minutes.
        ["Durable:LeaseInterval"] = "00:00:06",
        ["Durable:MessageVisibilityTimeout"] = "00:00:08",
        ["Effects:Directory"] = _effects,
        ["Effects:DelayMilliseconds"] = "300",
    };

    private DurableTaskClient Client(string hub)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Settings(hub).Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        _clients = new ServiceCollection()
            .AddLogging()
            .AddDurableTaskFrameworkClient(configuration.GetSection(DurableHostOptions.SectionName))
            .BuildServiceProvider();
        return _clients.GetRequiredService<DurableTaskClient>();
    }

    private static async Task<OrchestrationMetadata> WaitForCompletionAsync(DurableTaskClient client, string id)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    private void AssertEveryEffectOnce(string id)
    {
        var effects = Effects(id);
        Assert.Equal(Enumerable.Range(0, Items), effects.Keys.Order());
        Assert.All(effects, e => Assert.Equal(((long)e.Key * e.Key).ToString(CultureInfo.InvariantCulture), e.Value));
    }

    /// <summary>Result files (item → content) the activities left for one instance; temporary files are ignored.</summary>
    private Dictionary<int, string> Effects(string id)
    {
        var folder = Path.Combine(_effects, id);
        if (!Directory.Exists(folder)) return [];
        return Directory.GetFiles(folder, "*.txt")
            .ToDictionary(f => int.Parse(Path.GetFileNameWithoutExtension(f), CultureInfo.InvariantCulture), File.ReadAllText);
    }

    private List<(int Item, int Pid)> Attempts(string id)
    {
        var log = Path.Combine(_effects, "attempts.log");
        if (!File.Exists(log)) return [];
        using var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        var attempts = new List<(int, int)>();
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            if (parts.Length == 3 && parts[0] == id)
                attempts.Add((int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture)));
        }
        return attempts;
    }
}
