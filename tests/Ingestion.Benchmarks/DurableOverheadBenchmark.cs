using System.Diagnostics;
using System.Globalization;
using DurableTask.Core;
using Ingestion.Benchmarks.DurableOverhead;
using Ingestion.Durable;
using Ingestion.Orchestration;
using Ingestion.Pipeline;
using Ingestion.Testing.StandIns;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingestion.Benchmarks;

/// <summary>
/// Durable overhead of a run's file phase on the standalone host: the product's <see cref="FileBatchOrchestrator"/>
/// (batches of <c>--batch</c> files one after another, <c>--parallel</c> files in flight) over N no-op "tiny file"
/// activities, on the Azure Storage backend (Azurite, on disk or in memory) and, side by side, on the in-memory
/// backend. Reports files/s (schedule → completion), files per CPU-second (host and Azurite apart), the storage
/// requests per file by kind, and the history per run. Target: ≥ 40 files/s on Azure Storage (Azurite).
/// Usage: durable-overhead [--files 5000] [--batch 500] [--parallel P] [--activities A] [--extended-sessions 0|1]
///   [--partitions N] [--azurite disk|memory] [--backends both|storage] [--settings current|main]
/// (<c>--settings main</c>: the Durable settings main had before issue #11's second part, for side-by-side runs.)
/// </summary>
public sealed class DurableOverheadBenchmark : IBenchmark
{
    public string Name => "durable-overhead";

    public string Description => "5,000 no-op file activities in the product's file batches on DTFx (Azurite vs in-memory): files/s, CPU, requests and history per file";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var settings = new RunSettings
        {
            FilesPerBatch = CpuStopwatch.Int(args, "--batch", new PipelineOptions().FilesPerBatch),
            MaxParallelFiles = CpuStopwatch.Int(args, "--parallel", new PipelineOptions().MaxParallelFiles),
        };
        var input = new TinyRunInput(CpuStopwatch.Int(args, "--files", 5000), settings);
        var baseline = CpuStopwatch.Option(args, "--settings") == "main" ? DurableSettingsOfMain() : new DurableHostOptions();
        var durable = new DurableHostOptions
        {
            MaxConcurrentActivities = CpuStopwatch.Int(args, "--activities", baseline.MaxConcurrentActivities),
            ExtendedSessions = CpuStopwatch.Int(args, "--extended-sessions", baseline.ExtendedSessions ? 1 : 0) != 0,
            PartitionCount = CpuStopwatch.Int(args, "--partitions", baseline.PartitionCount),
            MaxQueuePollingInterval = baseline.MaxQueuePollingInterval,
        };
        var onDisk = CpuStopwatch.Option(args, "--azurite") != "memory";
        var inMemoryToo = CpuStopwatch.Option(args, "--backends") != "storage";
        Console.WriteLine($"{input.Files} no-op file activities in FileBatchOrchestrator batches of {settings.FilesPerBatch} (one after another), " +
            $"{settings.MaxParallelFiles} files in flight; Durable: {durable.MaxConcurrentActivities} activities at once, extended sessions " +
            $"{(durable.ExtendedSessions ? "on" : "off")}, {durable.PartitionCount} partitions ({CpuStopwatch.Option(args, "--settings") ?? "current"} settings)");

        var location = onDisk ? Directory.CreateTempSubdirectory("azurite-durable-").FullName : null;
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(location, cancellationToken);
            var taskHub = "bench" + Guid.NewGuid().ToString("N")[..12];
            var storage = await MeasureAsync($"Azure Storage (Azurite 3.37.0 {(onDisk ? "on disk" : "in memory")})", input, azurite, o =>
            {
                Copy(durable, o);
                o.StorageConnection = azurite.ConnectionString;
                o.TaskHubName = taskHub;
            }, cancellationToken);
            if (inMemoryToo)
            {
                var memory = await MeasureAsync("in-memory", input, null, o =>
                {
                    Copy(durable, o);
                    o.Backend = DurableBackend.InMemory;
                }, cancellationToken);
                Console.WriteLine($"Azure Storage / in-memory time ratio: {storage / memory:F1}x");
            }
            Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()} ({Environment.ProcessorCount} cores); the machine may be shared: prefer files/CPU-s");
            return 0;
        }
        finally
        {
            if (location is not null) Directory.Delete(location, recursive: true);
        }
    }

    /// <summary>The Durable defaults main had (32ad2e7), for a "before" run in the same session as an "after" run.</summary>
    private static DurableHostOptions DurableSettingsOfMain() => new()
    {
        MaxConcurrentActivities = 10,
        ExtendedSessions = false,
        PartitionCount = 4,
        MaxQueuePollingInterval = TimeSpan.FromSeconds(10),
    };

    private static void Copy(DurableHostOptions from, DurableHostOptions to)
    {
        to.MaxConcurrentActivities = from.MaxConcurrentActivities;
        to.ExtendedSessions = from.ExtendedSessions;
        to.PartitionCount = from.PartitionCount;
        to.MaxQueuePollingInterval = from.MaxQueuePollingInterval;
    }

    private static async Task<double> MeasureAsync(
        string label, TinyRunInput input, AzuriteProcess? azurite, Action<DurableHostOptions> configure, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDurableTaskFrameworkHost(configure, tasks =>
        {
            tasks.AddOrchestrator<TinyRunOrchestrator>();
            tasks.AddOrchestrator<FileBatchOrchestrator>();
            tasks.AddActivityFunc<FileRequest, FileResultSummary>(nameof(ProcessFileActivity), (_, request) => TinyFileActivity.Run(request));
        });
        using var host = builder.Build();
        var hub = new DurableHostOptions();
        configure(hub);
        using var requests = azurite is null ? null : new StorageRequestCounter(new Dictionary<int, string>
        {
            [azurite.BlobEndpoint.Port] = "blob", [azurite.QueueEndpoint.Port] = "queue", [azurite.TableEndpoint.Port] = "table",
        }, hub.TaskHubName);
        await host.StartAsync(cancellationToken);
        var client = host.Services.GetRequiredService<DurableTaskClient>();

        // Warm-up: the first run also waits for the worker to acquire its partition leases (seconds on Azure Storage),
        // which a long-running host pays once, not per run.
        var warmUp = Stopwatch.StartNew();
        var first = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TinyRunOrchestrator), input with { Files = 1 }, cancellationToken);
        await client.WaitForInstanceCompletionAsync(first, cancellationToken);
        Console.WriteLine($"{label}: warm-up run (1 file, includes lease acquisition) {warmUp.Elapsed.TotalSeconds:F1} s");

        // CPU time of this host and of the storage emulator apart: files per CPU-second does not depend on how loaded
        // the shared machine is, wall-clock files/s does.
        using var storageProcess = azurite is null ? null : Process.GetProcessById(azurite.ProcessId);
        TimeSpan StorageCpu()
        {
            storageProcess?.Refresh();
            return storageProcess?.TotalProcessorTime ?? TimeSpan.Zero;
        }
        var hostCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var storageCpuBefore = StorageCpu();
        if (requests is not null)
        {
            requests.Take();
            requests.Counting = true;
        }
        var clock = Stopwatch.StartNew();
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TinyRunOrchestrator), input, cancellationToken);
        // Progress every 30 s (the run's custom status), so a run that does not finish under load says how far it got.
        using var progress = new CancellationTokenSource();
        var reporter = ReportProgressAsync(client, id, clock, progress.Token);
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        if (requests is not null) requests.Counting = false;
        var hostCpu = (Process.GetCurrentProcess().TotalProcessorTime - hostCpuBefore).TotalSeconds;
        var storageCpu = (StorageCpu() - storageCpuBefore).TotalSeconds;
        await progress.CancelAsync();
        await reporter;
        if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed || done.ReadOutputAs<int>() != input.Files)
            throw new InvalidOperationException($"{label}: the run ended {done.RuntimeStatus} with {done.SerializedOutput}.");

        var (events, bytes) = await HistorySizeAsync(host.Services.GetRequiredService<IOrchestrationServiceClient>(), id, input);
        var files = input.Files;
        Console.WriteLine($"{label,-40} {files / seconds,8:F1} files/s  ({seconds:F1} s)  {files / (hostCpu + storageCpu),7:F1} files/CPU-s (host + storage)  " +
            $"history per run: {events:N0} events, {bytes / 1024.0 / 1024.0:F2} MB ({(double)bytes / files:F0} B/file)");
        Console.WriteLine($"  CPU: host {hostCpu:F1} s ({hostCpu * 1000 / files:F2} ms/file)" +
            (azurite is null ? "" : $", Azurite {storageCpu:F1} s ({storageCpu * 1000 / files:F2} ms/file)"));
        if (requests is not null)
        {
            var kinds = requests.Take();
            var total = kinds.Sum(k => k.Value);
            Console.WriteLine($"  storage requests: {total:N0} ({(double)total / files:F2} per file); Azurite CPU {storageCpu * 1000 / Math.Max(1, total):F2} ms per request, host CPU {hostCpu * 1000 / Math.Max(1, total):F2} ms per request");
            foreach (var (kind, count) in kinds.Take(16))
                Console.WriteLine($"    {kind,-48} {count,9:N0}  {(double)count / files,6:F2}/file");
        }
        await host.StopAsync(cancellationToken);
        return seconds;
    }

    private static async Task ReportProgressAsync(DurableTaskClient client, string id, Stopwatch clock, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
                var status = (await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken))?.ReadCustomStatusAs<ExportRunStatus>();
                Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F0} s: {status?.FilesDone ?? 0} of {status?.FilesTotal ?? 0} files done (whole batches)");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<(long Events, long Bytes)> HistorySizeAsync(IOrchestrationServiceClient client, string id, TinyRunInput input)
    {
        var instances = new List<string> { id };
        var batches = (input.Files + input.Settings.FilesPerBatch - 1) / input.Settings.FilesPerBatch;
        for (var batch = 0; batch < batches; batch++) instances.Add(RunIds.ForBatch(id, batch));
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
