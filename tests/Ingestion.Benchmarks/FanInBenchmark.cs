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
/// is the runtime's and the catalog's only.
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
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:LakePath"] = lake, ["Storage:StatePath"] = state })
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)).AddSingleton(TimeProvider.System);
        services.AddExportPipeline(configuration);
        await using var provider = services.BuildServiceProvider();
        var reduce = ActivatorUtilities.CreateInstance<ReduceRunActivity>(provider);
        var step = new RunStep(runId, provider.GetRequiredService<RunKeyPin>().Fingerprint);
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}; run {runId}; VmHWM before {PeakRssMegabytes():N0} MB");
        var clock = new CpuStopwatch();
        var parts = await reduce.RunAsync(new BenchmarkActivityContext(runId), step);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fan-in: {clock.Wall.TotalSeconds:F2} s wall, {clock.Cpu.TotalSeconds:F2} CPU-s, {parts} parts, peak RSS (VmHWM) {PeakRssMegabytes():N0} MB, GC heap {GC.GetTotalMemory(false) / 1048576.0:N0} MB"));
        return 0;
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
