using Ingestion.Testing;

namespace Ingestion.Parquet.Tests;

/// <summary>A string column looks a value equal to the one before it up without its dictionary (rows of one person or
/// code come together): the chunk must be the one a lookup per value writes, whether a repeat is the same string
/// instance or an equal copy, across dictionary fallback and row groups, and read back as written.</summary>
public sealed class RepeatedStringValuesTests(ScratchDirectory scratch) : IClassFixture<ScratchDirectory>
{
    private static readonly ParquetSchema Schema = new([
        new ParquetColumn("code", ParquetType.String, Required: false),
        new ParquetColumn("source", ParquetType.String, Required: true),
    ]);

    public static TheoryData<int, long> Options => new()
    {
        // dictionary page limit (bytes), row group size (bytes): no fallback; fallback mid-chunk; many small row groups.
        { 1024 * 1024, 64L * 1024 * 1024 },
        { 300, 64L * 1024 * 1024 },
        { 1024 * 1024, 2_000 },
        { 200, 3_000 },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public async Task Repeats_as_the_same_instance_or_as_copies_write_the_same_bytes_and_read_back_as_written(int dictionaryLimit, long rowGroupBytes)
    {
        var options = new ParquetWriterOptions { DictionaryPageSizeLimit = dictionaryLimit, RowGroupSizeBytes = rowGroupBytes };
        var shared = Rows(copies: false);
        var copied = Rows(copies: true);
        var sharedBytes = await WriteAsync(options, shared);
        Assert.Equal(sharedBytes, await WriteAsync(options, copied));

        var path = scratch.File($"repeated-{dictionaryLimit}-{rowGroupBytes}.parquet");
        await File.WriteAllBytesAsync(path, sharedBytes);
        var read = await DuckDb.QueryAsync(
            "SELECT string_agg(coalesce(code, '<null>') || '/' || source, ',' ORDER BY file_row_number) " +
            $"FROM read_parquet({DuckDb.Literal(path)}, file_row_number = true)");
        Assert.Equal(string.Join(',', shared.Select(r => (r[0] as string ?? "<null>") + "/" + r[1])), read.Scalar.GetString());
    }

    /// <summary>Runs of one value (a null inside some), values coming back after others, and ever new values, so that
    /// a repeat follows a fallback and a row group's end.</summary>
    private static List<object?[]> Rows(bool copies)
    {
        var codes = Enumerable.Range(0, 40).Select(i => "code-" + i).ToArray();
        var rows = new List<object?[]>();
        for (var i = 0; i < 3_000; i++)
        {
            var run = i / 7;
            string? code = run % 5 == 4 ? "new-" + run : codes[(run * 13) % codes.Length];
            if (i % 17 == 0) code = null;
            var source = codes[(i / 3) % 3];
            rows.Add([copies && code is not null ? new string(code.AsSpan()) : code, copies ? new string(source.AsSpan()) : source]);
        }
        return rows;
    }

    private static async Task<byte[]> WriteAsync(ParquetWriterOptions options, IReadOnlyList<object?[]> rows)
    {
        using var output = new MemoryStream();
        await using (var writer = new ParquetWriter(output, Schema, options))
        {
            await writer.WriteRowsAsync(rows, batchRows: 100);
            await writer.CompleteAsync();
        }
        return output.ToArray();
    }
}
