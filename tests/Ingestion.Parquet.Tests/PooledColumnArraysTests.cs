namespace Ingestion.Parquet.Tests;

/// <summary>Column buffers take their arrays from the shared pools and give them back on dispose: a file must not depend
/// on what earlier writers left in those arrays (stale dictionary slots, offsets, definition levels, values).</summary>
public sealed class PooledColumnArraysTests
{
    private static readonly ParquetSchema Schema = new([
        new ParquetColumn("id", ParquetType.Int64, Required: true),
        new ParquetColumn("code", ParquetType.String, Required: false),
        new ParquetColumn("count", ParquetType.Int32, Required: false),
        new ParquetColumn("value", ParquetType.Double, Required: false),
        new ParquetColumn("day", ParquetType.Date, Required: true),
    ]);

    [Fact]
    public async Task AWriterGivesTheSameBytesWhateverEarlierWritersLeftInThePool()
    {
        var rows = Rows(2_500, seed: 1, distinct: 40);
        var first = await WriteAsync(rows);
        // Earlier writers of other shapes: many distinct values (dictionaries grown, then dropped for PLAIN), other nulls.
        for (var seed = 2; seed < 6; seed++) await WriteAsync(Rows(30_000 * seed, seed, distinct: 1_000_000));
        await WriteAsync(Rows(10, seed: 7, distinct: 3));
        Assert.Equal(first, await WriteAsync(rows));
    }

    private static List<object?[]> Rows(int count, int seed, int distinct)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new object?[]
        {
            (long)random.Next(distinct),
            random.Next(seed + 2) == 0 ? null : "c" + random.Next(distinct),
            random.Next(seed + 3) == 0 ? null : random.Next(distinct),
            random.Next(seed + 4) == 0 ? null : random.Next(distinct) / 7.0,
            new DateOnly(2000, 1, 1).AddDays(random.Next(Math.Min(distinct, 30_000))),
        }).ToList();
    }

    private static async Task<byte[]> WriteAsync(IReadOnlyList<object?[]> rows)
    {
        using var output = new MemoryStream();
        await using (var writer = new ParquetWriter(output, Schema))
        {
            await writer.WriteRowsAsync(rows, batchRows: 512);
            await writer.CompleteAsync();
        }
        return output.ToArray();
    }
}
