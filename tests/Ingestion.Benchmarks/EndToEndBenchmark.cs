using Microsoft.Extensions.Configuration;
using Microsoft.DurableTask.Client;
using System.Diagnostics;
using System.Globalization;
using Ingestion.DemoServer;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Hosting;
using Ingestion.Pipeline.State;
using Ingestion.Privacy;
using Ingestion.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Benchmarks;

/// <summary>
/// `e2e [--patients 1000,10000] [--runs 3] [--parallelism 2] [--lines-per-file 20000]`: the whole pipeline (NDJSON → validate → map →
/// de-identify → Parquet → publish) over a landed export of synthetic patients, against DuckDB's flatten-only
/// `read_ndjson` → `COPY … (FORMAT parquet)` of the same files, side by side. Prints medians, resources/s and the
/// pipeline process's peak working set.
/// </summary>
public sealed class EndToEndBenchmark : IBenchmark
{
    public string Name => "e2e";
    public string Description => "End-to-end pipeline vs DuckDB read_ndjson→Parquet on the same synthetic export.";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var patients = Arg(args, "--patients", "1000").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
        var runs = int.Parse(Arg(args, "--runs", "3"), CultureInfo.InvariantCulture);
        var parallelism = int.Parse(Arg(args, "--parallelism", "2"), CultureInfo.InvariantCulture);
        // Servers split their output files (so do we, like a real export); 0 = one file per type.
        var linesPerFile = int.Parse(Arg(args, "--lines-per-file", "20000"), CultureInfo.InvariantCulture);
        // DuckDB gets as many threads as the pipeline has workers.
        Environment.SetEnvironmentVariable("DUCKDB_THREADS", parallelism.ToString(CultureInfo.InvariantCulture));
        var validator = Fhir.Validation.UsCoreValidator.CreateBuiltIn();
        foreach (var count in patients)
        {
            var root = Directory.CreateTempSubdirectory("e2e-bench-").FullName;
            try
            {
                var folder = Path.Combine(root, "landed");
                var (lines, bytes) = await LandAsync(count, folder, linesPerFile, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count:N0} patients: {lines:N0} resources, {bytes / 1048576.0:F1} MB NDJSON"));
                var baseline = await TimeAsync(() => DuckDb.QueryAsync("SELECT 1", cancellationToken));
                var pipelineTimes = new List<double>();
                var duckTimes = new List<double>();
                long peak = 0;
                for (var run = 0; run < runs; run++)
                {
                    var (seconds, runPeak, read) = await RunPipelineAsync(folder, Path.Combine(root, $"lake-{run}"), validator, parallelism, cancellationToken);
                    if (read != lines) throw new InvalidOperationException($"The pipeline read {read} resources, expected {lines}.");
                    pipelineTimes.Add(seconds);
                    peak = Math.Max(peak, runPeak);
                    var duck = await TimeAsync(() => DuckDbFlattenAsync(folder, Path.Combine(root, $"duck-{run}"), cancellationToken));
                    duckTimes.Add(Math.Max(0.001, duck - baseline));
                }
                var p = CpuStopwatch.Median(pipelineTimes);
                var d = CpuStopwatch.Median(duckTimes);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  pipeline: median {p:F2} s wall = {lines / p:N0} resources/s; peak working set {peak / 1048576.0:N0} MB"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  duckdb read_ndjson→parquet (flatten only, {parallelism} threads, minus {baseline:F2} s node start): median {d:F2} s = {lines / d:N0} resources/s"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio pipeline/duckdb throughput: {d / p:F2} (target ≥ 0.5)"));
            }
            finally
            {
                try { Directory.Delete(root, recursive: true); } catch (IOException) { }
            }
        }
        return 0;
    }

    /// <summary>Writes the generator's export as {Type}.ndjson files (what `ingest` reads).</summary>
    private static async Task<(long Lines, long Bytes)> LandAsync(int patients, string folder, int linesPerFile, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var writers = new Dictionary<string, FileStream>(StringComparer.Ordinal);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long lines = 0, bytes = 0;
        try
        {
            foreach (var record in new SyntheticPatientGenerator(patients, seed: 1, defectRate: 0).Generate())
            {
                var n = counts.GetValueOrDefault(record.ResourceType);
                counts[record.ResourceType] = n + 1;
                var part = linesPerFile > 0 ? n / linesPerFile : 0;
                if (!writers.TryGetValue(record.ResourceType, out var stream) || (linesPerFile > 0 && n % linesPerFile == 0 && n > 0))
                {
                    if (stream is not null) await stream.DisposeAsync();
                    writers[record.ResourceType] = stream = new FileStream(Path.Combine(folder, $"{record.ResourceType}.{part:D3}.ndjson"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                }
                await stream.WriteAsync(record.NdjsonLine, cancellationToken);
                stream.WriteByte((byte)'\n');
                lines++;
                bytes += record.NdjsonLine.Length + 1;
            }
        }
        finally
        {
            foreach (var stream in writers.Values) await stream.DisposeAsync();
        }
        return (lines, bytes);
    }

    private static async Task<(double Seconds, long PeakWorkingSet, long Read)> RunPipelineAsync(string folder, string lake, Fhir.Validation.IResourceValidator validator, int parallelism, CancellationToken cancellationToken)
    {
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        long peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
            }
        }, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        // The standalone runtime on the in-memory Durable backend: the same orchestration and file activity as production.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:LakePath"] = lake,
            ["Deid:Key"] = DeidentificationKey.Ephemeral(),
            ["Pipeline:MaxParallelFiles"] = parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Durable:MaxConcurrentActivities"] = parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        await using var runtime = await Cli.Hosting.PipelineRuntime.StartAsync(configuration, cancellationToken: cancellationToken);
        var started = await runtime.Starter.StartAsync(new Orchestration.ExportRunInput
        {
            SourceId = "bench",
            SourceKind = Orchestration.ExportSourceKind.LandedFolder,
            LandedLocation = folder,
            KeyFingerprint = "",
            Trigger = new Orchestration.RunTrigger(Orchestration.RunTriggerKind.Cli, "benchmark"),
        }, null, cancellationToken);
        var instance = await runtime.Client.WaitForInstanceCompletionAsync(started.RunId, getInputsAndOutputs: true, cancellationToken);
        watch.Stop();
        await sampling.CancelAsync();
        await sampler;
        var output = instance.ReadOutputAs<Orchestration.ExportRunOutput>();
        if (output?.Outcome != Orchestration.RunOutcome.Completed) throw new InvalidOperationException($"Run {output?.Outcome}: {output?.FailureReason ?? instance.FailureDetails?.ErrorMessage}");
        var run = await runtime.Catalog.GetRunAsync(started.RunId, cancellationToken);
        return (watch.Elapsed.TotalSeconds, peak, run!.Counters.ResourcesRead);
    }

    private static Task DuckDbFlattenAsync(string folder, string output, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(output);
        var statements = Directory.EnumerateFiles(folder, "*.ndjson").Order(StringComparer.Ordinal).Select(file =>
            $"COPY (SELECT * FROM read_ndjson({DuckDb.Literal(file)}, ignore_errors = true)) TO {DuckDb.Literal(Path.Combine(output, Path.GetFileNameWithoutExtension(file) + ".parquet"))} (FORMAT parquet);");
        return DuckDb.QueryAsync(string.Join("\n", statements) + "\nSELECT 1;", cancellationToken);
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalSeconds;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
