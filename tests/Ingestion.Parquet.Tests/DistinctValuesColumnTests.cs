using Ingestion.Testing;

namespace Ingestion.Parquet.Tests;

/// <summary>A column marked <see cref="ParquetColumn.DistinctValues"/> skips the dictionary trial: a row group of distinct
/// values must be the one the trial would have written (it always drops a dictionary of distinct values); repeated
/// values are written PLAIN and read back as written. (Across row groups the flush points may move: the size measure
/// counts a value PLAIN rather than as an index plus a dictionary entry.)</summary>
public sealed class DistinctValuesColumnTests(ScratchDirectory scratch) : IClassFixture<ScratchDirectory>
{
    private static ParquetSchema SchemaOf(bool distinct) => new([
        new ParquetColumn("id", ParquetType.Int64, Required: true) { DistinctValues = distinct },
        new ParquetColumn("code", ParquetType.String, Required: false) { DistinctValues = distinct },
        new ParquetColumn("day", ParquetType.Date, Required: false) { DistinctValues = distinct },
        new ParquetColumn("person", ParquetType.Int64, Required: true),
    ]);

    [Theory]
    [InlineData(1)]
    [InlineData(700)]
    [InlineData(20_000)]
    public async Task DistinctKeysGiveTheSameBytesAsTheDictionaryTrial(int rows)
    {
        var trial = await WriteAsync(SchemaOf(distinct: false), new ParquetWriterOptions(), Rows(rows, distinct: true));
        var skipped = await WriteAsync(SchemaOf(distinct: true), new ParquetWriterOptions(), Rows(rows, distinct: true));
        Assert.Equal(trial, skipped);
    }

    [Fact]
    public async Task RepeatedValuesInADistinctColumnArePlainAndReadBackAsWritten()
    {
        var rows = Rows(3000, distinct: false);
        var path = scratch.File("repeated.parquet");
        await File.WriteAllBytesAsync(path, await WriteAsync(SchemaOf(distinct: true), new ParquetWriterOptions(), rows));
        var expected = string.Join(',', rows.Sum(r => (long)r[0]!), rows.Count(r => r[1] is not null), rows.Count(r => r[1] is "code-7"),
            rows.Count(r => r[2] is not null), rows.Sum(r => (long)r[3]!));
        var values = await DuckDb.QueryAsync(
            "SELECT concat_ws(',', sum(id), count(code), count(*) FILTER (WHERE code = 'code-7'), count(day), sum(person)) " +
            $"FROM read_parquet({DuckDb.Literal(path)})");
        Assert.Equal(expected, values.Scalar.GetString());
        // The flagged columns never got a dictionary though one would pay; the unflagged one kept its dictionary.
        var encodings = await DuckDb.QueryAsync(
            "SELECT string_agg(path_in_schema || ':' || (encodings LIKE '%DICTIONARY%'), ';' ORDER BY column_id) " +
            $"FROM parquet_metadata({DuckDb.Literal(path)})");
        Assert.Equal("id:false;code:false;day:false;person:true", encodings.Scalar.GetString());
    }

    /// <summary>Distinct rows: unique ids, codes and days; otherwise a handful of values repeated (a dictionary pays).</summary>
    private static List<object?[]> Rows(int count, bool distinct) => Enumerable.Range(0, count).Select(i => new object?[]
    {
        distinct ? 1_000_003L * i + 17 : (long)(i % 5),
        i % 11 == 0 ? null : "code-" + (distinct ? i : i % 9),
        i % 13 == 0 ? null : new DateOnly(2000, 1, 1).AddDays(distinct ? i : i % 4),
        (long)(i / 10),
    }).ToList();

    private static async Task<byte[]> WriteAsync(ParquetSchema schema, ParquetWriterOptions options, IReadOnlyList<object?[]> rows)
    {
        using var output = new MemoryStream();
        await using (var writer = new ParquetWriter(output, schema, options))
        {
            await writer.WriteRowsAsync(rows, batchRows: 256);
            await writer.CompleteAsync();
        }
        return output.ToArray();
    }
}
