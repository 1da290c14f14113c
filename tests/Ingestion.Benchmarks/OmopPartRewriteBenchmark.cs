using System.IO.Hashing;
using Ingestion.Omop;
using Ingestion.Parquet;
using Ingestion.Pipeline.Activities;
using Ingestion.Storage.Embedded;

namespace Ingestion.Benchmarks;

/// <summary>
/// `omop-part-rewrite --lake DIR [--runs 5] [--warmup 4]`: single-thread CPU of the Parquet writer on real OMOP rows in the
/// product's shape. Every part an `ingest` left in DIR's lake (all tables) is read into memory first; each run writes
/// every part again as the file activity's table writer does (512-row batches, one writer per part) to memory, and
/// prints ns of CPU per row and a hash of all bytes written (equal hashes: byte-identical Parquet), so two builds of
/// the writer run on the same lake compare side by side. `--row-path`: the rows go in as the file activity hands them
/// over instead, typed rows (<see cref="OmopRowBuffer"/>, strings as fresh instances like a parse gives) copied into
/// the batch one at a time (<see cref="OmopColumnBatch.Copy"/>).
/// </summary>
public sealed class OmopPartRewriteBenchmark : IBenchmark
{
    private const int BatchRows = 512;

    public string Name => "omop-part-rewrite";
    public string Description => "Parquet writer on an ingest's OMOP parts (512-row batches): ns of CPU per row, hash of the bytes";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var root = CpuStopwatch.Option(args, "--lake") ?? throw new ArgumentException("--lake DIR (a lake an ingest wrote) is required");
        var runs = CpuStopwatch.Int(args, "--runs", 5);
        var rowPath = args.Contains("--row-path");
        var lake = new FileSystemLake(new FileSystemLakeOptions { RootPath = root });
        var parts = new List<(OmopTable Table, List<ParquetColumnBatch> Groups)>();
        foreach (var table in CdmTables.All)
        {
            var folder = Path.Combine(root, "omop", table.Name);
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.GetFiles(folder, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var groups = new List<ParquetColumnBatch>();
                await foreach (var group in TablePartReader.ReadRowGroupsAsync(lake, table, Path.GetRelativePath(root, file), cancellationToken))
                    groups.Add(group);
                parts.Add((table, groups));
            }
        }
        var rows = parts.Sum(p => p.Groups.Sum(g => (long)g.RowCount));
        Console.WriteLine($"{parts.Count:N0} parts, {rows:N0} rows{(rowPath ? ", row path" : "")}");
        var typed = rowPath ? parts.Select(p => TypedRows(p.Table, p.Groups)).ToList() : null;

        // Warm-up passes until the writer runs its tier-1 code; the first pass's hash is the one every run must give.
        var expected = await WriteAllAsync(parts, typed, cancellationToken);
        for (var pass = 1; pass < CpuStopwatch.Int(args, "--warmup", 4); pass++) await WriteAllAsync(parts, typed, cancellationToken);
        var nanoseconds = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var clock = new CpuStopwatch();
            var hash = await WriteAllAsync(parts, typed, cancellationToken);
            if (hash != expected) throw new InvalidOperationException("Two passes wrote different bytes.");
            nanoseconds.Add(clock.Cpu.TotalNanoseconds / rows);
            Console.WriteLine($"  run {run + 1}: {nanoseconds[^1]:F1} ns of CPU per row");
        }
        Console.WriteLine($"CPU per row: median {CpuStopwatch.Median(nanoseconds):F1} ns (min {nanoseconds.Min():F1}); bytes hash {expected:X16}");
        return 0;
    }

    private static async Task<ulong> WriteAllAsync(List<(OmopTable Table, List<ParquetColumnBatch> Groups)> parts, List<OmopRowBuffer>? typed, CancellationToken cancellationToken)
    {
        var hash = new XxHash3();
        var output = new MemoryStream();
        for (var p = 0; p < parts.Count; p++)
        {
            var (table, groups) = parts[p];
            output.SetLength(0);
            var schema = OmopParquetSchemas.For(table);
            var batch = new ParquetColumnBatch(schema, BatchRows);
            await using (var writer = new ParquetWriter(output, schema, new ParquetWriterOptions { RowGroupSizeBytes = 8L * 1024 * 1024 }))
            {
                if (typed is not null)
                {
                    var rows = typed[p];
                    for (var row = 0; row < rows.Count; row++)
                    {
                        OmopColumnBatch.Copy(rows, row, batch, batch.RowCount);
                        batch.RowCount++;
                        if (batch.RowCount < BatchRows && row < rows.Count - 1) continue;
                        await writer.WriteBatchAsync(batch, cancellationToken);
                        batch.Clear();
                    }
                }
                else foreach (var group in groups)
                {
                    var all = Enumerable.Range(0, group.RowCount).ToArray();
                    for (var at = 0; at < all.Length; at += BatchRows)
                    {
                        var take = Math.Min(BatchRows, all.Length - at);
                        batch.CopyRowsFrom(group, all.AsSpan(at, take), 0);
                        batch.RowCount = take;
                        await writer.WriteBatchAsync(batch, cancellationToken);
                        batch.Clear();
                    }
                }
                await writer.CompleteAsync(cancellationToken);
            }
            // The footer's build stamp (created_by) differs between builds: only the bytes before the footer count.
            var bytes = output.GetBuffer().AsSpan(0, (int)output.Length);
            var footer = BitConverter.ToInt32(bytes[^8..^4]);
            hash.Append(bytes[..^(footer + 8)]);
        }
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>A part's rows as the mapper leaves them: typed, strings fresh instances (a parse makes one per value).</summary>
    private static OmopRowBuffer TypedRows(OmopTable table, List<ParquetColumnBatch> groups)
    {
        var rows = new OmopRowBuffer(table, Math.Max(1, groups.Sum(g => g.RowCount)));
        var values = new object?[table.Columns.Count];
        foreach (var group in groups)
        {
            for (var row = 0; row < group.RowCount; row++)
            {
                for (var c = 0; c < values.Length; c++)
                {
                    var column = group.Schema.Columns[c];
                    if (column.Type != ParquetType.String && !column.Required && group.Nulls(c)[row])
                    {
                        values[c] = null;
                        continue;
                    }
                    values[c] = column.Type switch
                    {
                        ParquetType.String => group.Strings(c)[row] is { } text ? new string(text.AsSpan()) : null,
                        ParquetType.Int64 => group.Int64s(c)[row],
                        ParquetType.Int32 => group.Int32s(c)[row],
                        ParquetType.Double => group.Doubles(c)[row],
                        ParquetType.Date => DateOnly.FromDayNumber(group.Int32s(c)[row] + DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber),
                        ParquetType.Timestamp => new DateTime(DateTime.UnixEpoch.Ticks + group.Int64s(c)[row] * 10, DateTimeKind.Utc),
                        _ => throw new InvalidDataException($"{table.Name}.{column.Name}: unexpected type {column.Type}."),
                    };
                }
                rows.AddBoxed(values);
            }
        }
        return rows;
    }
}
