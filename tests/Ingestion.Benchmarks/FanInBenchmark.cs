using System.Globalization;
using Ingestion.Orchestration;
using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingestion.Benchmarks;

/// <summary>
/// `fan-in --lake DIR [--state FILE]`: only the fan-in (the reduce activity: referential integrity, observation_period,
/// eras, death, cdm_source) of the run a finished `ingest` left in a lake, again, in this process — a loop of a few
/// minutes at N = 100 instead of a whole run. Run it on a copy (it rewrites the run's reduce outputs in place, with the
/// configured `Deid__Key`). Prints wall time, CPU-seconds and this process's peak RSS (VmHWM), which before the reduce
/// is the runtime's and the catalog's only. The run's publish deleted the file parts the fan-in rewrote (their
/// `-final` rewrites replaced them in the manifest), and the reduce reads them again: each missing original is
/// restored from its rewrite first (rows already corrected, so the pass then rewrites fewer rows than the run did).
/// </summary>
public sealed class FanInBenchmark : IBenchmark
{
    public string Name => "fan-in";
    public string Description => "The reduce activity alone on the staged outputs of a finished `ingest` run (a copy of its lake).";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var lake = Path.GetFullPath(CpuStopwatch.Option(args, "--lake") ?? throw new ArgumentException("--lake DIR is required."));
        var state = CpuStopwatch.Option(args, "--state") ?? Path.Combine(lake + "-state", "ingestion.db");
        var runId = Directory.GetDirectories(Path.Combine(lake, "_runs")).Select(Path.GetFileName).Single()!;
        var restored = RestoreRewrittenParts(lake, runId);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:LakePath"] = lake, ["Storage:StatePath"] = state })
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)).AddSingleton(TimeProvider.System);
        services.AddExportPipeline(configuration);
        await using var provider = services.BuildServiceProvider();
        var reduce = ActivatorUtilities.CreateInstance<ReduceRunActivity>(provider);
        var step = new RunStep(runId, provider.GetRequiredService<RunKeyPin>().Fingerprint);
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}; run {runId}; {restored} rewritten parts restored under their original names; VmHWM before {PeakRssMegabytes():N0} MB");
        var clock = new CpuStopwatch();
        var parts = await reduce.RunAsync(new BenchmarkActivityContext(runId), step);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fan-in: {clock.Wall.TotalSeconds:F2} s wall, {clock.Cpu.TotalSeconds:F2} CPU-s, {parts} parts, peak RSS (VmHWM) {PeakRssMegabytes():N0} MB, GC heap {GC.GetTotalMemory(false) / 1048576.0:N0} MB"));
        return 0;
    }

    /// <summary>Copies each <c>part-…-final.parquet</c> of the run back to its original name when that is gone (see the summary).</summary>
    private static int RestoreRewrittenParts(string lake, string runId)
    {
        var restored = 0;
        var omop = Path.Combine(lake, "omop");
        if (!Directory.Exists(omop)) return 0;
        foreach (var rewrite in Directory.EnumerateFiles(omop, "part-*-final.parquet", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(Path.GetDirectoryName(rewrite)) != $"run={runId}") continue;
            var original = rewrite[..^"-final.parquet".Length] + ".parquet";
            if (File.Exists(original)) continue;
            File.Copy(rewrite, original);
            restored++;
        }
        return restored;
    }

    private static double PeakRssMegabytes() =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0).Single();

    private sealed class BenchmarkActivityContext(string instanceId) : TaskActivityContext
    {
        public override TaskName Name => new(nameof(ReduceRunActivity));
        public override string InstanceId => instanceId;
    }
}
