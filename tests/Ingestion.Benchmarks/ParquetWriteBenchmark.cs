using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ingestion.Parquet;
using Ingestion.Testing;

namespace Ingestion.Benchmarks;

/// <summary>
/// Writes a measurement-shaped table (int64 ids, dates, timestamps, doubles, low-cardinality strings, some nulls)
/// with the columnar batch API for each compression, and in the same run has DuckDB (threads = 1) write the same
/// rows, built from range() with the same formulas, timing only its COPY ... TO parquet. Prints medians and ratios.
/// </summary>
public sealed class ParquetWriteBenchmark : IBenchmark
{
    private const int BatchRows = 64 * 1024;
    private static readonly string[] Units = ["mg/dL", "mmol/L", "%", "g/L", "10*3/uL", "mm[Hg]", "kg", "cm"];

    public string Name => "parquet-write";

    public string Description => "Parquet writer vs DuckDB COPY (threads=1): rows/s, MB/s, peak memory per compression. [--rows N] [--runs R] [--compression snappy,gzip,uncompressed]";

    public static ParquetSchema Schema { get; } = new([
        new ParquetColumn("measurement_id", ParquetType.Int64, true),
        new ParquetColumn("person_id", ParquetType.Int64, true),
        new ParquetColumn("measurement_concept_id", ParquetType.Int32, true),
        new ParquetColumn("measurement_date", ParquetType.Date, true),
        new ParquetColumn("measurement_datetime", ParquetType.Timestamp, false),
        new ParquetColumn("value_as_number", ParquetType.Double, false),
        new ParquetColumn("unit_source_value", ParquetType.String, false),
        new ParquetColumn("measurement_source_value", ParquetType.String, true),
    ]);

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var rows = long.Parse(Option(args, "--rows") ?? "10000000", CultureInfo.InvariantCulture);
        var runs = int.Parse(Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        var compressions = (Option(args, "--compression") ?? "snappy,gzip,uncompressed").Split(',');
        var directory = Directory.CreateTempSubdirectory("parquet-bench-").FullName;
        try
        {
            Console.WriteLine($"rows: {rows:N0}, runs: {runs} (median reported), batch: {BatchRows:N0} rows, output: {directory}");
            var batches = Generate(rows);
            Console.WriteLine("DuckDB (threads=1) builds the same table from range() and times only COPY ... TO parquet...");
            var duckDb = await RunDuckDbAsync(rows, runs, directory, compressions, cancellationToken);

            Console.WriteLine();
            Console.WriteLine("| compression | writer wall (CPU) | rows/s wall (per CPU-s) | MB/s (file) | peak managed MB | file MB | DuckDB wall (CPU) | DuckDB file MB | speed vs DuckDB wall (CPU) | size vs DuckDB |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var name in compressions)
            {
                var compression = Enum.Parse<ParquetCompression>(name, ignoreCase: true);
                var path = Path.Combine(directory, $"writer-{name}.parquet");
                var measurements = new List<(TimeSpan Time, TimeSpan Cpu, long PeakBytes)>();
                for (var run = 0; run < runs; run++) measurements.Add(await WriteAsync(path, batches, compression, cancellationToken));
                var median = measurements.OrderBy(m => m.Time).ElementAt(runs / 2);
                var cpu = measurements.Select(m => m.Cpu).Order().ElementAt(runs / 2);
                var peak = measurements.Max(m => m.PeakBytes);
                var bytes = new FileInfo(path).Length;
                var duck = duckDb[name];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {median.Time.TotalSeconds:F2} s ({cpu.TotalSeconds:F2} s) | {rows / median.Time.TotalSeconds:N0} ({rows / cpu.TotalSeconds:N0}) | {bytes / 1e6 / median.Time.TotalSeconds:F1} | {peak / 1e6:F0} | {bytes / 1e6:F1} | {duck.Median.TotalSeconds:F2} s ({duck.Cpu.TotalSeconds:F2} s) | {duck.Bytes / 1e6:F1} | {duck.Median / median.Time:F2}x ({duck.Cpu / cpu:F2}x) | {(double)bytes / duck.Bytes:F3} |"));
            }
            await VerifyAsync(directory, compressions[0]);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(TimeSpan Time, TimeSpan Cpu, long PeakBytes)> WriteAsync(string path, List<ParquetColumnBatch> batches, ParquetCompression compression, CancellationToken cancellationToken)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        using var sampler = new Timer(_ => peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline), null, 0, 5);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: false))
        await using (var writer = new ParquetWriter(file, Schema, new ParquetWriterOptions { Compression = compression }))
        {
            foreach (var batch in batches) await writer.WriteBatchAsync(batch, cancellationToken);
            await writer.CompleteAsync(cancellationToken);
        }
        stopwatch.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
        return (stopwatch.Elapsed, cpu, peak);
    }

    /// <summary>The same formulas as duckdb-write-benchmark.mjs, row i = 0..rows-1.</summary>
    private static List<ParquetColumnBatch> Generate(long rows)
    {
        var sources = Enumerable.Range(0, 500).Select(k => "LOINC:" + (1000 + k).ToString(CultureInfo.InvariantCulture)).ToArray();
        var epochDay = ParquetValues.ToDays(new DateOnly(2015, 1, 1));
        var batches = new List<ParquetColumnBatch>();
        for (long start = 0; start < rows; start += BatchRows)
        {
            var count = (int)Math.Min(BatchRows, rows - start);
            var batch = new ParquetColumnBatch(Schema, count) { RowCount = count };
            Span<long> ids = batch.Int64s(0), persons = batch.Int64s(1), times = batch.Int64s(4);
            Span<int> concepts = batch.Int32s(2), dates = batch.Int32s(3);
            Span<double> values = batch.Doubles(5);
            Span<bool> timeNulls = batch.Nulls(4), valueNulls = batch.Nulls(5);
            Span<string?> units = batch.Strings(6), codes = batch.Strings(7);
            for (var r = 0; r < count; r++)
            {
                var i = start + r;
                ids[r] = i + 1;
                persons[r] = 1 + i * 7919 % 250000;
                concepts[r] = (int)(3000000 + i % 400);
                dates[r] = epochDay + (int)(i % 3650);
                timeNulls[r] = i % 10 == 0;
                times[r] = 1420070400000000 + i * 61000000;
                valueNulls[r] = i % 7 == 0;
                values[r] = (double)(i * 37 % 10000) / 100;
                units[r] = i % 13 == 0 ? null : Units[i % 8];
                codes[r] = sources[i % 500];
            }
            batches.Add(batch);
        }
        return batches;
    }

    private static async Task<Dictionary<string, (TimeSpan Median, TimeSpan Cpu, long Bytes)>> RunDuckDbAsync(long rows, int runs, string directory, string[] compressions, CancellationToken cancellationToken)
    {
        string[] arguments = [rows.ToString(CultureInfo.InvariantCulture), runs.ToString(CultureInfo.InvariantCulture), directory, string.Join(',', compressions)];
        var output = await NodeScript.RunAsync("duckdb-write-benchmark.mjs", null, arguments, cancellationToken);
        if (output.ExitCode != 0) throw new InvalidOperationException("DuckDB benchmark failed: " + output.StandardError);
        using var document = JsonDocument.Parse(output.StandardOutput);
        return document.RootElement.EnumerateArray().ToDictionary(
            e => e.GetProperty("compression").GetString()!,
            e =>
            {
                var millis = e.GetProperty("millis").EnumerateArray().Select(m => m.GetDouble()).Order().ToList();
                var cpu = e.GetProperty("cpuMillis").EnumerateArray().Select(m => m.GetDouble()).Order().ToList();
                return (TimeSpan.FromMilliseconds(millis[millis.Count / 2]), TimeSpan.FromMilliseconds(cpu[cpu.Count / 2]), e.GetProperty("bytes").GetInt64());
            });
    }

    /// <summary>Both files hold the same rows: DuckDB compares per-column aggregates of the two.</summary>
    private static async Task VerifyAsync(string directory, string compression)
    {
        string Summary(string file) =>
            $"SELECT ROW(count(*), sum(measurement_id), sum(person_id), sum(measurement_concept_id), count(measurement_datetime), max(measurement_datetime), " +
            $"sum(value_as_number), count(unit_source_value), min(measurement_date), max(measurement_source_value)) FROM read_parquet({DuckDb.Literal(Path.Combine(directory, file))})";
        var result = await DuckDb.QueryAsync($"SELECT ({Summary($"writer-{compression}.parquet")}) = ({Summary($"duckdb-{compression}.parquet")})");
        Console.WriteLine($"same content as DuckDB's file ({compression}): {result.Scalar}");
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
