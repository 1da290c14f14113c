using System.Diagnostics;
using System.Globalization;
using Ingestion.Privacy;
using Ingestion.Testing;
using Ingestion.Testing.StandIns;

namespace Ingestion.Benchmarks;

/// <summary>
/// `synthea-e2e [--copies 10,100] [--runs 5] [--threads 2] [--work DIR] [--cli DIR] [--baseline-cli DIR] [--durable memory|azurite] [--settle 360]`: the real `ingest` command
/// (published Release build, landed folder, local lake, validation + mapping + de-identification + Parquet) against
/// DuckDB's `read_ndjson_auto` → `COPY … (FORMAT parquet)` per resource type, both as whole processes, alternating,
/// on N copies of the shared Synthea 100-patient export. Prints medians and ratios of wall time, CPU-seconds and peak
/// RSS. Both sides include their process start-up (the .NET runtime, node + DuckDB). `--baseline-cli` (another
/// published build, e.g. of main) runs as a third side in the same rounds, for before/after ratios. `--durable azurite`
/// runs our side's orchestration on the Durable Task Framework's Azure Storage backend against a local Azurite (on disk,
/// a fresh task hub per run) instead of the in-memory backend; Azurite's CPU is reported apart and added to ours.
/// The sides run in a rotating order, and every run's output is kept until all rounds are done: deleting a round's
/// lakes (thousands of files) just before the next run made that run's file creations slow on this machine's ext4
/// (no journal: the inode allocator steps over inodes freed in the last minute or more), which only our side paid
/// (`find_inode_bit` 1.4–5.7 % of an N = 100 run's samples, 0 % without the deletion; DuckDB writes one file a type).
/// The kernel skips a freed inode for 60 s, or 360 s while its inode-table block is dirty (and new files in the same
/// block dirty it again), so after the final deletion the benchmark syncs and waits `--settle` seconds: the first run
/// of a benchmark started right after this one (always our side in the rotation) would otherwise pay for this one's
/// lakes (`recently_deleted` 2.8 % of an N = 100 run's samples 2 minutes after a 70-second settle).
/// </summary>
public sealed class SyntheaEndToEndBenchmark : IBenchmark
{
    public string Name => "synthea-e2e";
    public string Description => "`ingest` (published CLI) vs DuckDB read_ndjson_auto→Parquet on N copies of the Synthea 100-patient export, whole processes.";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var copies = (CpuStopwatch.Option(args, "--copies") ?? "10").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToList();
        var runs = CpuStopwatch.Int(args, "--runs", 5);
        var threads = CpuStopwatch.Int(args, "--threads", 2);
        var work = CpuStopwatch.Option(args, "--work") ?? Path.Combine(Path.GetTempPath(), "synthea-e2e-bench");
        var source = Path.Combine(SharedData.Root, "synthea", "100-patients");
        var cli = CpuStopwatch.Option(args, "--cli") ?? await PublishCliAsync(Path.Combine(work, "cli"), cancellationToken);
        var cliDll = Path.Combine(cli, "Ingestion.Cli.dll");
        if (!File.Exists(cliDll)) throw new FileNotFoundException($"No published CLI at {cliDll}.");
        var baselineDll = CpuStopwatch.Option(args, "--baseline-cli") is { } baselineCli ? Path.Combine(baselineCli, "Ingestion.Cli.dll") : null;
        if (baselineDll is not null && !File.Exists(baselineDll)) throw new FileNotFoundException($"No published CLI at {baselineDll}.");
        var settle = TimeSpan.FromSeconds(CpuStopwatch.Int(args, "--settle", 360));
        var durable = CpuStopwatch.Option(args, "--durable") ?? "memory";
        if (durable is not ("memory" or "azurite")) throw new ArgumentException("--durable takes memory or azurite.");
        var azuriteFolder = durable == "azurite" ? Directory.CreateTempSubdirectory("azurite-e2e-").FullName : null;
        await using var azurite = azuriteFolder is null ? null : await AzuriteProcess.StartAsync(azuriteFolder, cancellationToken);
        using var azuriteProcess = azurite is null ? null : Process.GetProcessById(azurite.ProcessId);
        Console.WriteLine($"load average at start: {LoadAverage()}; Durable backend of ingest: " +
            (azurite is null ? "in memory" : "Azure Storage (Azurite 3.37.0 on disk, a fresh task hub per run)"));

        var outputs = Path.Combine(work, "out");
        if (Directory.Exists(outputs)) Directory.Delete(outputs, recursive: true);
        try
        {
            foreach (var n in copies)
            {
                var input = Path.Combine(work, $"synthea-x{n}");
                var (files, lines, bytes) = await SyntheaCopies.EnsureAsync(source, input, n, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"N={n}: {files} NDJSON files, {lines:N0} resources, {bytes / 1048576.0:N0} MB in {input}"));
                var ours = new List<ProcessMeasurement>();
                var duck = new List<ProcessMeasurement>();
                var baseline = new List<ProcessMeasurement>();
                for (var run = 0; run < runs; run++)
                {
                    var output = Directory.CreateDirectory(Path.Combine(outputs, $"x{n}-run{run + 1}")).FullName;
                    var sides = new List<Func<Task>>
                    {
                        async () =>
                        {
                            var ingest = await MeasureIngestAsync(Ingest(cliDll, input, Path.Combine(output, "lake"), threads, azurite), azuriteProcess, cancellationToken);
                            if (ingest.ExitCode != 0) throw new InvalidOperationException($"ingest exited {ingest.ExitCode}: {ingest.StandardError}");
                            ours.Add(ingest);
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"  run {run + 1}: ours {ingest.WallSeconds:F2} s / {ingest.CpuSeconds:F2} CPU-s / {ingest.PeakRssBytes / 1048576.0:N0} MB"));
                        },
                        async () =>
                        {
                            var duckdb = await MeasuredProcess.RunAsync(DuckDbCopy(input, Path.Combine(output, "duck"), threads), cancellationToken);
                            if (duckdb.ExitCode != 0) throw new InvalidOperationException($"DuckDB exited {duckdb.ExitCode}: {duckdb.StandardError}");
                            duck.Add(duckdb);
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"  run {run + 1}: duckdb {duckdb.WallSeconds:F2} s / {duckdb.CpuSeconds:F2} CPU-s / {duckdb.PeakRssBytes / 1048576.0:N0} MB"));
                        },
                    };
                    if (baselineDll is not null)
                    {
                        sides.Add(async () =>
                        {
                            var before = await MeasureIngestAsync(Ingest(baselineDll, input, Path.Combine(output, "lake-baseline"), threads, azurite), azuriteProcess, cancellationToken);
                            if (before.ExitCode != 0) throw new InvalidOperationException($"baseline ingest exited {before.ExitCode}: {before.StandardError}");
                            baseline.Add(before);
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"  run {run + 1}: baseline {before.WallSeconds:F2} s / {before.CpuSeconds:F2} CPU-s / {before.PeakRssBytes / 1048576.0:N0} MB"));
                        });
                    }
                    // A rotating order, so no side always runs first (cold caches) or always after another.
                    for (var i = 0; i < sides.Count; i++) await sides[(run + i) % sides.Count]();
                }
                Print("ours (ingest)", ours, lines);
                Print($"duckdb ({threads} threads)", duck, lines);
                if (baseline.Count > 0)
                {
                    Print("baseline (ingest)", baseline, lines);
                    var (bw, bc, bm) = Medians(baseline);
                    var (aw, ac, am) = Medians(ours);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  baseline/duckdb: wall {bw / Medians(duck).Wall:F2}x, CPU {bc / Medians(duck).Cpu:F2}x; ours/baseline: wall {aw / bw:F2}x, CPU {ac / bc:F2}x, peak RSS {am / bm:F2}x"));
                }
                var (ow, oc, om) = Medians(ours);
                var (dw, dc, dm) = Medians(duck);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  ours/duckdb: wall {ow / dw:F2}x, CPU {oc / dc:F2}x, peak RSS {om / dm:F2}x (speed ratio duckdb/ours wall {dw / ow:F2}; target ≥ 1.0)"));
            }
        }
        finally
        {
            // Deleted only now (see the summary): no run is measured right after thousands of files were freed.
            if (Directory.Exists(outputs))
            {
                Directory.Delete(outputs, recursive: true);
                await SettleAsync(settle, cancellationToken);
            }
        }
        Console.WriteLine($"load average at end: {LoadAverage()}");
        if (azuriteFolder is not null)
        {
            await azurite!.DisposeAsync();
            Directory.Delete(azuriteFolder, recursive: true);
        }
        return 0;
    }

    /// <summary>One ingest; with Azurite as the Durable backend, the emulator's CPU during the run is added to the
    /// child's (the orchestration's storage work is part of what the run costs) and printed apart.</summary>
    private static async Task<ProcessMeasurement> MeasureIngestAsync(ProcessStartInfo start, Process? azurite, CancellationToken cancellationToken)
    {
        azurite?.Refresh();
        var storageBefore = azurite?.TotalProcessorTime ?? TimeSpan.Zero;
        var measured = await MeasuredProcess.RunAsync(start, cancellationToken);
        if (azurite is null) return measured;
        azurite.Refresh();
        var storage = (azurite.TotalProcessorTime - storageBefore).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    (Azurite: {storage:F2} CPU-s during this ingest, included in its CPU-s)"));
        return measured with { CpuSeconds = measured.CpuSeconds + storage };
    }

    private static ProcessStartInfo Ingest(string cliDll, string input, string lake, int threads, AzuriteProcess? azurite)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { cliDll, "ingest", input, "--lake", lake, "--parallelism", threads.ToString(CultureInfo.InvariantCulture), "--source-id", "synthea-bench" })
            psi.ArgumentList.Add(a);
        psi.Environment["Deid__Key"] = DeidentificationKey.Ephemeral();
        psi.Environment["Durable__MaxConcurrentActivities"] = threads.ToString(CultureInfo.InvariantCulture);
        if (azurite is null) return psi;
        psi.Environment["Durable__StorageConnection"] = azurite.ConnectionString;
        psi.Environment["Durable__TaskHubName"] = "e2e" + Guid.NewGuid().ToString("N")[..12];
        return psi;
    }

    private static ProcessStartInfo DuckDbCopy(string input, string output, int threads)
    {
        Directory.CreateDirectory(output);
        var types = Directory.EnumerateFiles(input, "*.ndjson").Select(f => Path.GetFileName(f).Split('.')[0]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var sql = string.Join("\n", types.Select(type =>
            $"COPY (SELECT * FROM read_ndjson_auto({DuckDb.Literal(Path.Combine(input, type + ".*.ndjson"))})) TO {DuckDb.Literal(Path.Combine(output, type + ".parquet"))} (FORMAT parquet);"))
            + "\nSELECT 1;";
        var psi = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryPaths.ToolsDirectory };
        psi.ArgumentList.Add("duckdb-query.mjs");
        psi.ArgumentList.Add(sql);
        psi.Environment["DUCKDB_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        return psi;
    }

    private static async Task<string> PublishCliAsync(string output, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        // The product's publish (README "Publish"): ReadyToRun for linux-x64, from the CLI's publish profile.
        foreach (var a in new[] { "publish", Path.Combine(RepositoryPaths.RepositoryRoot, "functions", "Ingestion.Cli"), "-c", "Release", "-p:PublishProfile=linux-x64", "-o", output, "-nologo", "-v:q" })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet publish");
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet publish of Ingestion.Cli failed ({process.ExitCode}).");
        return output;
    }

    private static (double Wall, double Cpu, double Rss) Medians(List<ProcessMeasurement> runs) =>
        (CpuStopwatch.Median(runs.Select(r => r.WallSeconds)), CpuStopwatch.Median(runs.Select(r => r.CpuSeconds)), CpuStopwatch.Median(runs.Select(r => (double)r.PeakRssBytes)));

    private static void Print(string side, List<ProcessMeasurement> runs, long lines)
    {
        var (wall, cpu, rss) = Medians(runs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {side}: median {wall:F2} s wall ({lines / wall:N0} resources/s), {cpu:F2} CPU-s, peak RSS {rss / 1048576.0:N0} MB (max {runs.Max(r => r.PeakRssBytes) / 1048576.0:N0} MB)"));
    }

    /// <summary>Writes the freed inodes back and waits out the kernel's recently-deleted window (see the summary).</summary>
    private static async Task SettleAsync(TimeSpan settle, CancellationToken cancellationToken)
    {
        if (settle <= TimeSpan.Zero) return;
        using (var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false }))
        {
            if (sync is not null) await sync.WaitForExitAsync(cancellationToken);
        }
        Console.WriteLine($"outputs deleted; waiting {settle.TotalSeconds:F0} s so the next benchmark's file creations do not pay for them (--settle)");
        await Task.Delay(settle, cancellationToken);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
