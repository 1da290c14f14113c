using System.IO.Pipelines;
using Ingestion.Omop;
using Ingestion.Parquet;
using Ingestion.Pipeline.Activities;
using Ingestion.Storage;
using Ingestion.Storage.Embedded;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>The integrity pass rewrites parts from what it reads back (column-wise): every value, null and type must
/// survive, from a seekable file and from a forward-only blob stream alike.</summary>
public sealed class TablePartReaderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "part-reader-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    public static TheoryData<string, bool> Tables => new()
    {
        { "visit_occurrence", true }, { "measurement", true }, { "person", false }, { "drug_exposure", false },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task A_part_reads_back_exactly_as_written(string tableName, bool forwardOnly)
    {
        // Few distinct values (dictionary pages) and many rows, one page or several per chunk.
        var (table, lake, rows) = Arrange(tableName, 7_000);
        await using (var upload = await lake.StartUploadAsync("omop/t/part.parquet"))
        {
            var schema = OmopParquetSchemas.For(table);
            await using var writer = new ParquetWriter(upload.Content, schema, forwardOnly ? new ParquetWriterOptions { PageSizeBytes = 4096 } : new ParquetWriterOptions());
            // The product's form: typed rows copied into one column batch.
            var typed = new OmopRowBuffer(table);
            foreach (var row in rows) typed.AddBoxed(row);
            var batch = new ParquetColumnBatch(schema, rows.Count) { RowCount = rows.Count };
            for (var i = 0; i < rows.Count; i++) OmopColumnBatch.Copy(typed, i, batch, i);
            await writer.WriteBatchAsync(batch, CancellationToken.None);
            await writer.CompleteAsync(CancellationToken.None);
            await upload.CommitAsync();
        }
        if (forwardOnly) lake = new ForwardOnlyLake(lake);

        var read = await ReadRowsAsync(lake, table, "omop/t/part.parquet");

        Assert.Equal(rows.Count, read.Count);
        for (var i = 0; i < rows.Count; i++) Assert.Equal(rows[i], read[i]);
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task Typed_rows_written_by_the_part_writer_read_back_exactly_and_roll_over_at_the_part_size(string tableName, bool boxed)
    {
        var (table, lake, rows) = Arrange(tableName, 2_500);
        var typed = new OmopRowBuffer(table);
        foreach (var row in rows) typed.AddBoxed(row);
        var nextPaths = new List<string>();
        await using (var writer = new TablePartWriter(lake, table, part => $"omop/t/part-{part}.parquet", new PipelineOptions { MaxRowsPerPart = 1_000 }))
        {
            for (var i = 0; i < rows.Count; i++)
            {
                nextPaths.Add(writer.NextRowPath);
                // Rows the reduce steps hand over boxed take the same typed path.
                if (boxed) await writer.WriteAsync(rows[i], CancellationToken.None);
                else await writer.WriteAsync(typed, i, CancellationToken.None);
            }
            await writer.CompleteAsync(CancellationToken.None);
            Assert.Equal([1_000L, 1_000L, 500L], writer.Parts.Select(p => p.Rows));
        }
        Assert.Equal(["omop/t/part-0.parquet", "omop/t/part-1.parquet", "omop/t/part-2.parquet"], nextPaths.Distinct());
        Assert.Equal("omop/t/part-1.parquet", nextPaths[1_000]);

        var read = new List<object?[]>();
        for (var part = 0; part < 3; part++) read.AddRange(await ReadRowsAsync(lake, table, $"omop/t/part-{part}.parquet"));
        Assert.Equal(rows.Count, read.Count);
        for (var i = 0; i < rows.Count; i++) Assert.Equal(rows[i], read[i]);
    }

    [Fact]
    public async Task Rows_copied_column_wise_from_a_read_row_group_write_a_part_with_exactly_those_rows()
    {
        var (table, lake, rows) = Arrange("visit_occurrence", 3_000);
        await using (var writer = new TablePartWriter(lake, table, _ => "omop/t/source.parquet", new PipelineOptions()))
        {
            foreach (var row in rows) await writer.WriteAsync(row, CancellationToken.None);
            await writer.CompleteAsync(CancellationToken.None);
        }
        // Every third row, in order: the fan-in's rewrite of a part without its dropped rows.
        var kept = Enumerable.Range(0, rows.Count).Where(i => i % 3 != 1).ToArray();
        await using (var writer = new TablePartWriter(lake, table, part => $"omop/t/kept-{part}.parquet", new PipelineOptions { MaxRowsPerPart = 1_500 }))
        {
            await foreach (var group in TablePartReader.ReadRowGroupsAsync(lake, table, "omop/t/source.parquet", CancellationToken.None))
                await writer.WriteAsync(group, kept, CancellationToken.None);
            await writer.CompleteAsync(CancellationToken.None);
            Assert.Equal([1_500L, 500L], writer.Parts.Select(p => p.Rows));
        }

        var read = new List<object?[]>();
        for (var part = 0; part < 2; part++) read.AddRange(await ReadRowsAsync(lake, table, $"omop/t/kept-{part}.parquet"));
        Assert.Equal(kept.Select(i => rows[i]), read);
    }

    /// <summary>A part's rows boxed in the table's CLR types (long, int, double, string, DateOnly, UTC DateTime), for comparing.</summary>
    private static async Task<List<object?[]>> ReadRowsAsync(ILake lake, OmopTable table, string path)
    {
        var rows = new List<object?[]>();
        await foreach (var group in TablePartReader.ReadRowGroupsAsync(lake, table, path, CancellationToken.None))
        {
            for (var r = 0; r < group.RowCount; r++)
            {
                var row = new object?[table.Columns.Count];
                for (var c = 0; c < row.Length; c++)
                {
                    var column = table.Columns[c];
                    if (column.Type != OmopColumnType.Varchar && !column.Required && group.Nulls(c)[r]) continue;
                    row[c] = column.Type switch
                    {
                        OmopColumnType.BigInt => group.Int64s(c)[r],
                        OmopColumnType.Integer => group.Int32s(c)[r],
                        OmopColumnType.Float => group.Doubles(c)[r],
                        OmopColumnType.Varchar => group.Strings(c)[r],
                        OmopColumnType.Date => new DateOnly(1970, 1, 1).AddDays(group.Int32s(c)[r]),
                        OmopColumnType.DateTime => new DateTime(DateTime.UnixEpoch.Ticks + group.Int64s(c)[r] * 10, DateTimeKind.Utc),
                        _ => throw new ArgumentOutOfRangeException(nameof(table)),
                    };
                }
                rows.Add(row);
            }
        }
        return rows;
    }

    private (OmopTable Table, ILake Lake, List<object?[]> Rows) Arrange(string tableName, int count)
    {
        var table = CdmTables.All.Single(t => t.Name == tableName);
        var random = new Random(tableName.Length);
        var rows = Enumerable.Range(0, count).Select(i => table.Columns.Select(c => Value(c, random, i)).ToArray()).ToList();
        return (table, new FileSystemLake(new FileSystemLakeOptions { RootPath = _root }), rows);
    }

    private static object? Value(OmopColumn column, Random random, int i)
    {
        // Some optional columns hold no null at all (definition levels of one long run), the others a third.
        if (!column.Required && column.Name.Length % 2 == 0 && random.Next(3) == 0) return null;
        return column.Type switch
        {
            OmopColumnType.BigInt => column.Name.EndsWith("_concept_id", StringComparison.Ordinal) ? random.Next(3) : random.NextInt64(1, long.MaxValue),
            OmopColumnType.Integer => random.Next(4) == 0 ? 32817 : random.Next(0, 5),
            OmopColumnType.Float => random.NextDouble() * 100,
            OmopColumnType.Varchar => random.Next(2) == 0 ? "a,b" : "code-" + (i % 17),
            OmopColumnType.Date => new DateOnly(2000, 1, 1).AddDays(random.Next(9000)),
            OmopColumnType.DateTime => new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(random.Next(100_000_000)),
            _ => throw new ArgumentOutOfRangeException(nameof(column)),
        };
    }

    /// <summary>A lake whose read streams cannot seek, like a blob download.</summary>
    private sealed class ForwardOnlyLake(ILake inner) : ILake
    {
        public string Location => inner.Location;
        public Task<ILakeUpload> StartUploadAsync(string path, LakeWriteCondition condition = default, CancellationToken cancellationToken = default) => inner.StartUploadAsync(path, condition, cancellationToken);
        public Task<LakeItem> WriteAsync(string path, ReadOnlyMemory<byte> content, LakeWriteCondition condition = default, CancellationToken cancellationToken = default) => inner.WriteAsync(path, content, condition, cancellationToken);
        // A pipe's stream cannot seek.
        public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default) => PipeReader.Create(await inner.OpenReadAsync(path, cancellationToken)).AsStream();
        public Task<LakeItem?> GetAsync(string path, CancellationToken cancellationToken = default) => inner.GetAsync(path, cancellationToken);
        public IAsyncEnumerable<LakeItem> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);
        public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);
    }
}
