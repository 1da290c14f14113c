using System.Diagnostics;
using System.Globalization;
using Ingestion.DemoServer;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Ndjson;

namespace Ingestion.Benchmarks;

/// <summary>
/// Bulk Data download + parse throughput from the loopback demo server (in this process), and the NDJSON reader's
/// parse throughput alone on one core. Prints MB/s, resources/s and memory (peak working set, largest managed heap
/// seen while downloading). Args: [--size-mb N] (default 1024) [--runs N] (default 3) [--gzip] [--parallelism N].
/// </summary>
public sealed class BulkDownloadBenchmark : IBenchmark
{
    public string Name => "bulk-download";
    public string Description => "Bulk Data download + NDJSON parse throughput and memory against the loopback demo server";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var sizeMb = Arg(args, "--size-mb", 1024);
        var runs = Arg(args, "--runs", 3);
        var parallelism = Arg(args, "--parallelism", 2);
        var gzip = args.Contains("--gzip");

        // Calibrate: bytes per generated patient, from a small export.
        var perPatient = await BytesPerPatientAsync(cancellationToken);
        var patients = (int)Math.Max(10, sizeMb * 1024.0 * 1024.0 / perPatient);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"target {sizeMb} MB: {patients} patients (~{perPatient / 1024.0:F1} KB each), {runs} runs, parallelism {parallelism}, {(gzip ? "gzip" : "identity")} transfer"));

        await using var server = await DemoFhirServer.StartAsync(new DemoServerOptions { Patients = patients, Seed = 11, ResourcesPerFile = 50_000 }, cancellationToken);
        using var client = new BulkExportClient(new BulkExportClientOptions
        {
            BaseUrl = server.BaseUrl,
            AllowInsecureHttp = true,
            AllowPrivateNetwork = true,
            RetryAfterFloor = TimeSpan.FromMilliseconds(200),
            RetryAfterCeiling = TimeSpan.FromSeconds(2),
            MaxConcurrentDownloads = parallelism,
            RequestCompressedFiles = gzip,
        });
        var spool = Stopwatch.StartNew();
        var manifest = await client.WaitForCompletionAsync(await client.KickOffAsync(new BulkExportRequest(), cancellationToken), null, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"server generated and spooled the export in {spool.Elapsed.TotalSeconds:F1} s: {manifest.Output.Count} files"));

        var results = new List<(double Seconds, double CpuSeconds, long Bytes, long Resources, long MaxHeap)>();
        for (var run = 0; run < runs; run++)
        {
            GC.Collect();
            var result = await DownloadAsync(client, manifest, parallelism, cancellationToken);
            results.Add(result);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {run + 1}: {result.Bytes / 1048576.0:F0} MB, {result.Resources:N0} resources in {result.Seconds:F2} s = {result.Bytes / 1048576.0 / result.Seconds:F0} MB/s, {result.Resources / result.Seconds:N0} resources/s, {result.Bytes / 1048576.0 / result.CpuSeconds:F0} MB per CPU-second (client + server), max managed heap {result.MaxHeap / 1048576.0:F0} MB"));
        }
        var median = results.OrderBy(r => r.Seconds).ElementAt(results.Count / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"download+parse median: {median.Bytes / 1048576.0 / median.Seconds:F0} MB/s, {median.Resources / median.Seconds:N0} resources/s ({median.Bytes / 1048576.0:F0} MB, {median.Resources:N0} resources)"));

        using (var afterDownload = Process.GetCurrentProcess())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"memory after the downloads: peak working set {afterDownload.PeakWorkingSet64 / 1048576.0:F0} MB (client + in-process demo server), max managed heap while downloading {results.Max(r => r.MaxHeap) / 1048576.0:F0} MB"));
        }

        // Parse alone, one core: the reader (JSON validation + resourceType check) over an in-memory copy of one file.
        var sample = await SampleAsync(client, manifest, 256L * 1024 * 1024, cancellationToken);
        foreach (var validate in new[] { true, false })
        {
            var parseWall = new List<double>();
            var parseCpu = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var (wall, cpu) = await ParseAsync(sample, validate, cancellationToken);
                parseWall.Add(sample.Data.Length / 1048576.0 / wall);
                parseCpu.Add(sample.Data.Length / 1048576.0 / cpu);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"parse only, one thread, {(validate ? "lines + JSON validation + resourceType check" : "line splitting only")} ({sample.Data.Length / 1048576.0:F0} MB of {sample.Type}): median {parseWall.Order().ElementAt(runs / 2):F0} MB/s wall, {parseCpu.Order().ElementAt(runs / 2):F0} MB per CPU-second"));
        }

        Console.WriteLine($"GC collections gen0/1/2: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        return 0;
    }

    private static async Task<double> BytesPerPatientAsync(CancellationToken cancellationToken)
    {
        const int patients = 40;
        await using var server = await DemoFhirServer.StartAsync(new DemoServerOptions { Patients = patients, Seed = 11 }, cancellationToken);
        using var client = new BulkExportClient(new BulkExportClientOptions { BaseUrl = server.BaseUrl, AllowInsecureHttp = true, AllowPrivateNetwork = true, RetryAfterCeiling = TimeSpan.FromMilliseconds(200), RequestCompressedFiles = false });
        var manifest = await client.WaitForCompletionAsync(await client.KickOffAsync(new BulkExportRequest(), cancellationToken), null, cancellationToken);
        var result = await DownloadAsync(client, manifest, 2, cancellationToken);
        return (double)result.Bytes / patients;
    }

    private static async Task<(double Seconds, double CpuSeconds, long Bytes, long Resources, long MaxHeap)> DownloadAsync(BulkExportClient client, BulkExportManifest manifest, int parallelism, CancellationToken cancellationToken)
    {
        long bytes = 0, resources = 0, maxHeap = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(manifest.Output, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (file, ct) =>
        {
            long fileBytes = 0, fileResources = 0;
            await foreach (var line in client.ReadFileAsync(manifest, file, ct))
            {
                fileBytes += line.Utf8.Length + 1;
                if (++fileResources % 20_000 == 0) InterlockedMax(ref maxHeap, GC.GetTotalMemory(false));
            }
            Interlocked.Add(ref bytes, fileBytes);
            Interlocked.Add(ref resources, fileResources);
        });
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return (seconds, cpuSeconds, bytes, resources, maxHeap);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    private sealed record Sample(string Type, byte[] Data);

    private static async Task<Sample> SampleAsync(BulkExportClient client, BulkExportManifest manifest, long limit, CancellationToken cancellationToken)
    {
        var file = manifest.Output.MaxBy(f => f.Count ?? 0)!;
        await using var stream = await client.OpenFileAsync(manifest, file, cancellationToken);
        using var copy = new MemoryStream();
        var buffer = new byte[1 << 16];
        int n;
        while (copy.Length < limit && (n = await stream.ReadAsync(buffer, cancellationToken)) > 0) copy.Write(buffer, 0, n);
        // Cut at the last complete line.
        var data = copy.ToArray();
        var end = Array.LastIndexOf(data, (byte)'\n');
        return new Sample(file.Type, data[..(end + 1)]);
    }

    /// <summary>Wall seconds and CPU seconds of one parse pass (CPU time stays meaningful when other work shares the cores).</summary>
    private static async Task<(double Wall, double Cpu)> ParseAsync(Sample sample, bool validate, CancellationToken cancellationToken)
    {
        var options = validate ? new NdjsonReaderOptions { ExpectedResourceType = sample.Type } : new NdjsonReaderOptions { ValidateJson = false };
        using var stream = new MemoryStream(sample.Data, writable: false);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long lines = 0;
        // Repeat passes up to ~512 MB so the process CPU clock (10 ms ticks) measures something long enough.
        var passes = (int)Math.Max(1, 512L * 1024 * 1024 / sample.Data.Length);
        for (var pass = 0; pass < passes; pass++)
        {
            stream.Position = 0;
            await foreach (var line in NdjsonReader.ReadAsync(stream, options, cancellationToken))
            {
                if (line.Error is null) lines++;
            }
        }
        return (clock.Elapsed.TotalSeconds / passes, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / passes);
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}
