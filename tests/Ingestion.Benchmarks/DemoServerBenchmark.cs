using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ingestion.DemoServer;

namespace Ingestion.Benchmarks;

/// <summary>
/// `demo-server [--patients N] [--runs R]`: synthetic generation throughput, and a full loopback export from the
/// demo server (kick-off → manifest → every file downloaded raw), so the client's numbers are never limited by it.
/// </summary>
public sealed class DemoServerBenchmark : IBenchmark
{
    public string Name => "demo-server";
    public string Description => "Demo FHIR server: generation MB/s and resources/s, loopback export MB/s, peak memory.";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var patients = Arg(args, "--patients", 5000);
        var runs = Arg(args, "--runs", 3);
        Console.WriteLine($"demo-server benchmark: {patients} patients, {runs} runs (median)");

        // CPU seconds as well as wall time: on a shared, loaded machine the per-CPU-second rate is the stable figure.
        var generate = new List<(double Seconds, double Cpu, long Bytes, long Lines)>();
        long peakManaged = 0;
        for (var run = 0; run < runs; run++)
        {
            long bytes = 0, lines = 0;
            var watch = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            foreach (var record in new SyntheticPatientGenerator(patients, 1, 0.01).Generate())
            {
                bytes += record.NdjsonLine.Length + 1;
                if (++lines % 50_000 == 0) peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
            }
            generate.Add((watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, bytes, lines));
        }
        var g = generate.OrderBy(r => r.Seconds).ElementAt(runs / 2);
        Console.WriteLine($"generate: {Mb(g.Bytes) / g.Seconds:F1} MB/s, {g.Lines / g.Seconds:F0} resources/s ({Mb(g.Bytes):F1} MB, {g.Lines} lines, median {g.Seconds:F2} s); per CPU-second {Mb(g.Bytes) / g.Cpu:F1} MB, {g.Lines / g.Cpu:F0} resources");

        await using var server = await DemoFhirServer.StartAsync(new DemoServerOptions { Patients = patients, Seed = 1, DefectRate = 0.01 }, cancellationToken);
        using var http = new HttpClient();
        var exports = new List<(double Spool, double Download, long Bytes, long Lines)>();
        for (var run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            using var kickOff = new HttpRequestMessage(HttpMethod.Get, server.BaseUrl + "/$export");
            kickOff.Headers.TryAddWithoutValidation("Accept", "application/fhir+json");
            kickOff.Headers.TryAddWithoutValidation("Prefer", "respond-async");
            using var accepted = await http.SendAsync(kickOff, cancellationToken);
            var status = accepted.Content.Headers.ContentLocation!;
            JsonElement manifest;
            while (true)
            {
                using var poll = await http.GetAsync(status, cancellationToken);
                if ((int)poll.StatusCode == 200)
                {
                    manifest = JsonDocument.Parse(await poll.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
                    break;
                }
                await Task.Delay(20, cancellationToken);
            }
            var spool = watch.Elapsed.TotalSeconds;
            watch.Restart();
            long bytes = 0, lines = 0;
            var buffer = new byte[1 << 16];
            foreach (var file in manifest.GetProperty("output").EnumerateArray())
            {
                await using var stream = await http.GetStreamAsync(file.GetProperty("url").GetString(), cancellationToken);
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    bytes += read;
                    lines += buffer.AsSpan(0, read).Count((byte)'\n');
                }
            }
            exports.Add((spool, watch.Elapsed.TotalSeconds, bytes, lines));
            using var delete = await http.DeleteAsync(status, cancellationToken);
        }
        var e = exports.OrderBy(r => r.Download).ElementAt(runs / 2);
        var s = exports.Select(r => r.Spool).Order().ElementAt(runs / 2);
        Console.WriteLine($"export: kick-off to manifest (spool) median {s:F2} s; download {Mb(e.Bytes) / e.Download:F1} MB/s, {e.Lines / e.Download:F0} lines/s ({Mb(e.Bytes):F1} MB)");
        Console.WriteLine($"memory: peak managed heap while generating {Mb(peakManaged):F1} MB; process peak working set {Mb(Process.GetCurrentProcess().PeakWorkingSet64):F1} MB");
        if (e.Lines != server.Expected.TotalLines)
        {
            Console.Error.WriteLine($"export delivered {e.Lines} lines, expected {server.Expected.TotalLines}");
            return 1;
        }
        return 0;
    }

    private static double Mb(long bytes) => bytes / 1_000_000.0;

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
