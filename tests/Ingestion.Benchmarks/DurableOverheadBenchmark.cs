using System.Diagnostics;
using System.Globalization;
using DurableTask.Core;
using Ingestion.Benchmarks.DurableOverhead;
using Ingestion.Durable;
using Ingestion.Testing.StandIns;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingestion.Benchmarks;

/// <summary>
/// Durable overhead of a run's fan-out on the standalone host: N no-op "tiny file" activities in sub-orchestrations
/// of at most B files, on the Azure Storage backend (Azurite on disk) and, side by side, on the in-memory backend.
/// Reports files/s (schedule → completion) and the history per run (events and bytes over the parent and every
/// sub-orchestration). Target: ≥ 40 files/s on Azure Storage.
/// Usage: durable-overhead [--files 5000] [--batch 500] [--activities 20] [--extended-sessions 0|1] [--partitions 4]
/// </summary>
public sealed class DurableOverheadBenchmark : IBenchmark
{
    public string Name => "durable-overhead";

    public string Description => "5,000 no-op file activities on DTFx (Azurite vs in-memory): files/s and history per run";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int Arg(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }
        var input = new TinyFilesInput(Arg("--files", 5000), Arg("--batch", 500));
        var activities = Arg("--activities", 20);
        var extendedSessions = Arg("--extended-sessions", 0) != 0;
        var partitions = Arg("--partitions", 4);
        Console.WriteLine($"{input.Files} no-op activities in sub-orchestrations of {input.BatchSize}; {activities} activities at once; extended sessions {(extendedSessions ? "on" : "off")}; {partitions} partitions");

        var location = Directory.CreateTempSubdirectory("azurite-durable-").FullName;
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(location, cancellationToken);
            var storage = await MeasureAsync("Azure Storage (Azurite 3.37.0 on disk)", input, azurite.ProcessId, o =>
            {
                o.StorageConnection = azurite.ConnectionString;
                o.TaskHubName = "bench" + Guid.NewGuid().ToString("N")[..12];
                o.MaxConcurrentActivities = activities;
                o.MaxQueuePollingInterval = TimeSpan.FromSeconds(1);
                o.ExtendedSessions = extendedSessions;
                o.PartitionCount = partitions;
            }, cancellationToken);
            var memory = await MeasureAsync("in-memory", input, null, o =>
            {
                o.Backend = DurableBackend.InMemory;
                o.MaxConcurrentActivities = activities;
            }, cancellationToken);
            Console.WriteLine($"Azure Storage / in-memory time ratio: {storage / memory:F1}x");
            Console.WriteLine($"load average while running: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores");
            Console.WriteLine("note: the machine was shared with other builds while this ran; compare ratios, not absolute figures");
            return 0;
        }
        finally
        {
            Directory.Delete(location, recursive: true);
        }
    }

    private static async Task<double> MeasureAsync(
        string label, TinyFilesInput input, int? storageProcessId, Action<DurableHostOptions> configure, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDurableTaskFrameworkHost(configure, tasks =>
        {
            tasks.AddOrchestrator<TinyFilesOrchestrator>();
            tasks.AddOrchestrator<TinyFileBatchOrchestrator>();
            tasks.AddActivity<TinyFileActivity>();
        });
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var client = host.Services.GetRequiredService<DurableTaskClient>();

        // Warm-up: the first run also waits for the worker to acquire its partition leases (seconds on Azure Storage),
        // which a long-running host pays once, not per run.
        var warmUp = Stopwatch.StartNew();
        var first = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TinyFilesOrchestrator), new TinyFilesInput(1, 1), cancellationToken);
        await client.WaitForInstanceCompletionAsync(first, cancellationToken);
        Console.WriteLine($"{label}: warm-up run (1 file, includes lease acquisition) {warmUp.Elapsed.TotalSeconds:F1} s");

        // CPU time of this host and of the storage emulator: files per CPU-second does not depend on how loaded the
        // shared machine is, wall-clock files/s does.
        using var storageProcess = storageProcessId is { } pid ? Process.GetProcessById(pid) : null;
        TimeSpan Cpu()
        {
            storageProcess?.Refresh();
            return Process.GetCurrentProcess().TotalProcessorTime + (storageProcess?.TotalProcessorTime ?? TimeSpan.Zero);
        }
        var cpuBefore = Cpu();
        var clock = Stopwatch.StartNew();
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TinyFilesOrchestrator), input, cancellationToken);
        // Progress every 30 s (batches finished), so a run that does not finish under load still says how far it got.
        using var progress = new CancellationTokenSource();
        var reporter = ReportProgressAsync(client, id, input, clock, progress.Token);
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cancellationToken);
        await progress.CancelAsync();
        await reporter;
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Cpu() - cpuBefore).TotalSeconds;
        if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed || done.ReadOutputAs<int>() != input.Files)
            throw new InvalidOperationException($"{label}: the run ended {done.RuntimeStatus} with {done.SerializedOutput}.");

        var (events, bytes) = await HistorySizeAsync(host.Services.GetRequiredService<IOrchestrationServiceClient>(), id, input);
        Console.WriteLine($"{label,-40} {input.Files / seconds,8:F1} files/s  ({seconds:F1} s)  {input.Files / cpuSeconds,7:F1} files/CPU-s (host + storage)  history per run: {events:N0} events, {bytes / 1024.0 / 1024.0:F2} MB ({(double)bytes / input.Files:F0} B/file)");
        await host.StopAsync(cancellationToken);
        return seconds;
    }

    private static async Task ReportProgressAsync(DurableTaskClient client, string id, TinyFilesInput input, Stopwatch clock, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
                var finished = 0;
                for (var first = 0; first < input.Files; first += input.BatchSize)
                    if (await client.GetInstanceAsync($"{id}:batch:{first}", cancellation: cancellationToken) is { IsCompleted: true }) finished += Math.Min(input.BatchSize, input.Files - first);
                Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F0} s: batches holding {finished} of {input.Files} files finished");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<(long Events, long Bytes)> HistorySizeAsync(IOrchestrationServiceClient client, string id, TinyFilesInput input)
    {
        var instances = new List<string> { id };
        for (var first = 0; first < input.Files; first += input.BatchSize) instances.Add($"{id}:batch:{first}");
        long events = 0, bytes = 0;
        foreach (var instance in instances)
        {
            var history = await client.GetOrchestrationHistoryAsync(instance, null);
            bytes += System.Text.Encoding.UTF8.GetByteCount(history);
            events += Newtonsoft.Json.Linq.JArray.Parse(history).Count;
        }
        return (events, bytes);
    }
}
