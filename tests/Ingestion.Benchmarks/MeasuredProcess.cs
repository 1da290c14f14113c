using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ingestion.Benchmarks;

/// <summary>What one child process cost: wall time, CPU time (user + system, from getrusage of reaped children) and
/// peak resident set (VmHWM from /proc, sampled every 10 ms; the high-water mark only grows, so a sample misses at
/// most the last 10 ms).</summary>
internal sealed record ProcessMeasurement(int ExitCode, double WallSeconds, double CpuSeconds, long PeakRssBytes, string StandardError);

/// <summary>Runs a child process to completion and measures it (Linux).</summary>
internal static class MeasuredProcess
{
    public static async Task<ProcessMeasurement> RunAsync(ProcessStartInfo start, CancellationToken cancellationToken)
    {
        var before = ChildrenCpuSeconds();
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = start.RedirectStandardOutput ? process.StandardOutput.ReadToEndAsync(cancellationToken) : Task.FromResult("");
        var stderr = start.RedirectStandardError ? process.StandardError.ReadToEndAsync(cancellationToken) : Task.FromResult("");
        long peak = 0;
        var status = $"/proc/{process.Id}/status";
        while (!process.HasExited)
        {
            peak = Math.Max(peak, HighWaterMark(status));
            await Task.Delay(10, cancellationToken);
        }
        await process.WaitForExitAsync(cancellationToken);
        watch.Stop();
        await stdout;
        return new ProcessMeasurement(process.ExitCode, watch.Elapsed.TotalSeconds, ChildrenCpuSeconds() - before, peak, await stderr);
    }

    private static long HighWaterMark(string statusPath)
    {
        try
        {
            foreach (var line in File.ReadLines(statusPath))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
            // The process exited between the check and the read.
        }
        return 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeValue
    {
        public long Seconds;
        public long Microseconds;
    }

    // struct rusage on 64-bit Linux: two timevals, then 14 longs not read here (ru_maxrss of RUSAGE_CHILDREN is the
    // maximum over every child ever reaped, so the peak comes from /proc instead).
    [StructLayout(LayoutKind.Sequential, Size = 144)]
    private struct ResourceUsage
    {
        public TimeValue User;
        public TimeValue System;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, ref ResourceUsage usage);

    private static double ChildrenCpuSeconds()
    {
        const int children = -1;
        var usage = default(ResourceUsage);
        if (getrusage(children, ref usage) != 0) throw new InvalidOperationException("getrusage failed");
        return usage.User.Seconds + usage.User.Microseconds / 1e6 + usage.System.Seconds + usage.System.Microseconds / 1e6;
    }
}
