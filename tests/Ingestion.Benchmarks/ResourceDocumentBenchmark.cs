using System.Text;
using System.Text.Json;
using Ingestion.Fhir.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Testing;

namespace Ingestion.Benchmarks;

/// <summary>
/// `resource-document`: every Synthea 100-patient line in memory, one thread: CPU µs a line to parse with
/// <see cref="JsonDocument"/> and with <see cref="ResourceDocument"/>, then to parse and read every value (names,
/// strings, array lengths, a member lookup per object: the mapper's and the validator's reads). The two run in
/// alternating rounds (11; median), so a neighbour's load falls on both alike; last, the strict parse with the
/// pipeline's options (<see cref="ResourceParser"/>: the document plus its UTF-8, escape and surrogate checks).
/// </summary>
public sealed class ResourceDocumentBenchmark : IBenchmark
{
    public string Name => "resource-document";
    public string Description => "parse (and parse + read) µs/line: JsonDocument against ResourceDocument on Synthea-100";

    private static readonly ResourceParserOptions StrictOptions = new() { MaxDepth = 512, DeferDuplicateKeys = true };

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var lines = Directory.GetFiles(SharedData.PathOf("synthea", "100-patients"), "*.ndjson").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines).Where(l => l.Length > 0).Select(l => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(l)).ToArray();
        Console.WriteLine($"load average before the run: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}");
        Console.WriteLine($"data: {lines.Length} lines, {lines.Sum(l => (long)l.Length) / 1_000_000} MB");
        var options = new JsonDocumentOptions { MaxDepth = 512 };
        var cases = new (string Label, Func<ReadOnlyMemory<byte>, long> Work)[]
        {
            ("JsonDocument.Parse", line => { using var d = JsonDocument.Parse(line, options); return 1; }),
            ("ResourceDocument.Parse", line => { using var d = ResourceDocument.Parse(line, 512); return 1; }),
            ("JsonDocument parse + read all", line => { using var d = JsonDocument.Parse(line, options); return Read(d.RootElement); }),
            ("ResourceDocument parse + read all", line => { using var d = ResourceDocument.Parse(line, 512); return Read(d.RootElement); }),
            // The pipeline's strict parse: UTF-8, escapes and the surrogate rule checked, duplicate keys left to the validator.
            ("ResourceParser.Parse (pipeline's)", line => { using var d = ResourceParser.Parse(line, StrictOptions).Document!; return 1; }),
        };
        var samples = cases.Select(_ => new List<double>()).ToArray();
        long check = 0;
        for (var round = 0; round < 12; round++)
        {
            for (var c = 0; c < cases.Length; c++)
            {
                var clock = new CpuStopwatch();
                foreach (var line in lines) check += cases[c].Work(line);
                // Round 0 warms the JIT up and is not counted.
                if (round > 0) samples[c].Add(clock.Cpu.TotalMicroseconds / lines.Length);
            }
        }
        for (var c = 0; c < cases.Length; c++) Console.WriteLine($"{cases[c].Label,-36} {CpuStopwatch.Median(samples[c]),6:F3} CPU-µs a line (median of {samples[c].Count})");
        Console.WriteLine($"ResourceDocument / JsonDocument: parse {CpuStopwatch.Median(samples[1]) / CpuStopwatch.Median(samples[0]):F2}, parse + read {CpuStopwatch.Median(samples[3]) / CpuStopwatch.Median(samples[2]):F2} (checksum {check})");
        return Task.FromResult(0);
    }

    private static long Read(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                long n = e.TryGetProperty("id"u8, out _) ? 1 : 0;
                foreach (var p in e.EnumerateObject()) n += p.Name.Length + Read(p.Value);
                return n;
            case JsonValueKind.Array:
                long a = e.GetArrayLength();
                foreach (var item in e.EnumerateArray()) a += Read(item);
                return a;
            case JsonValueKind.String:
                return e.GetString()!.Length;
            default:
                return 1;
        }
    }

    private static long Read(ResourceElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                long n = e.TryGetProperty("id"u8, out _) ? 1 : 0;
                foreach (var p in e.EnumerateObject()) n += p.Name.Length + Read(p.Value);
                return n;
            case JsonValueKind.Array:
                long a = e.GetArrayLength();
                foreach (var item in e.EnumerateArray()) a += Read(item);
                return a;
            case JsonValueKind.String:
                return e.GetString()!.Length;
            default:
                return 1;
        }
    }
}
