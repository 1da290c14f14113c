using Ingestion.Testing;

namespace Ingestion.Parquet.Tests;

[CollectionDefinition(nameof(ResourceTests), DisableParallelization = true)]
public sealed class ResourceTestsCollection;

/// <summary>Memory bounded by one row group per writer, and independent writers side by side.</summary>
[Collection(nameof(ResourceTests))]
public sealed class ResourceTests(ScratchDirectory scratch) : IClassFixture<ScratchDirectory>
{
    private static readonly ParquetSchema Schema = new([
        new ParquetColumn("id", ParquetType.Int64, true),
        new ParquetColumn("code", ParquetType.String, false),
        new ParquetColumn("value", ParquetType.Double, false),
    ]);

    [Fact]
    public async Task MemoryStaysBoundedByOneRowGroupWhileTheFileGrowsTenfold()
    {
        var sink = new NonSeekableStream(Stream.Null);
        await using var writer = new ParquetWriter(sink, Schema, new ParquetWriterOptions { RowGroupSizeBytes = 256 * 1024 });
        var batch = new ParquetColumnBatch(Schema, 10_000) { RowCount = 10_000 };

        async Task WriteAsync(int batches)
        {
            for (var b = 0; b < batches; b++)
            {
                for (var r = 0; r < batch.RowCount; r++)
                {
                    var i = writer.RowCount + r;
                    batch.Int64s(0)[r] = i;
                    batch.Strings(1)[r] = "code-" + (i % 1000);
                    batch.Doubles(2)[r] = i * 0.25;
                }
                await writer.WriteBatchAsync(batch);
            }
        }

        await WriteAsync(10);
        var afterSmall = GC.GetTotalMemory(forceFullCollection: true);
        await WriteAsync(90);
        var afterLarge = GC.GetTotalMemory(forceFullCollection: true);

        Assert.True(writer.RowGroupCount > 50, $"{writer.RowGroupCount} row groups");
        // 900,000 more rows (tens of MB of column data) may only add row-group metadata, not buffered rows.
        Assert.True(afterLarge - afterSmall < 2 * 1024 * 1024, $"heap grew by {(afterLarge - afterSmall) / 1024} KiB");
    }

    [Fact]
    public async Task ManyWritersInParallelEachProduceTheirOwnCompleteFile()
    {
        var paths = Enumerable.Range(0, 8).Select(i => scratch.File($"parallel-{i}.parquet")).ToArray();
        await Task.WhenAll(paths.Select((path, w) => Task.Run(async () =>
        {
            await using var file = new NonSeekableStream(File.Create(path));
            await using var writer = new ParquetWriter(file, Schema, new ParquetWriterOptions { RowGroupSizeBytes = 32 * 1024, Compression = (ParquetCompression)(w % 3) });
            await writer.WriteRowsAsync(Enumerable.Range(0, 5_000).Select(i => new object?[] { (long)(w * 1_000_000 + i), i % 4 == 0 ? null : "w" + w, (double)i }));
            await writer.CompleteAsync();
        })));

        var sql = string.Join(" UNION ALL ", paths.Select((p, w) =>
            $"SELECT {w} AS w, count(*) AS n, min(id) AS lo, max(id) AS hi, count(DISTINCT code) AS codes FROM read_parquet({DuckDb.Literal(p)})"));
        var result = await DuckDb.QueryAsync(sql + " ORDER BY w");
        for (var w = 0; w < paths.Length; w++)
        {
            var row = result.Rows[w];
            Assert.Equal(["5000", (w * 1_000_000).ToString(), (w * 1_000_000 + 4_999).ToString(), "1"], row[1..].Select(v => v.ToString()));
        }
    }
}
