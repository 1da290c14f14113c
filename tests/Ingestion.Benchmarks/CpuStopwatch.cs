using System.Diagnostics;

namespace Ingestion.Benchmarks;

/// <summary>
/// Wall time and this process's CPU time side by side. On a shared machine (load far above the core count) wall-clock
/// rates measure the neighbours; CPU-time rates measure the code, i.e. throughput per core for single-threaded work.
/// </summary>
internal sealed class CpuStopwatch
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly TimeSpan _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;

    public TimeSpan Wall => _wall.Elapsed;

    public TimeSpan Cpu => Process.GetCurrentProcess().TotalProcessorTime - _cpuStart;

    /// <summary>Runs <paramref name="batch"/> (returning operations done) until a CPU-second budget is spent;
    /// returns operations per CPU-second.</summary>
    public static double PerCpuSecond(Func<int> batch, double cpuSeconds = 1)
    {
        var clock = new CpuStopwatch();
        long operations = 0;
        while (clock.Cpu.TotalSeconds < cpuSeconds) operations += batch();
        return operations / clock.Cpu.TotalSeconds;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static int Int(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
