using System.Text.RegularExpressions;
using Ingestion.Testing;

namespace Ingestion.Parquet.Tests;

/// <summary>Schema violations, failure handling, streaming and the footer facts readers rely on.</summary>
public sealed class WriterContractTests(ScratchDirectory scratch) : IClassFixture<ScratchDirectory>
{
    private const string PatientValue = "Jane Q. Patient 1970-01-01";

    private static readonly ParquetSchema Schema = new([
        new ParquetColumn("id", ParquetType.Int64, Required: true),
        new ParquetColumn("name", ParquetType.String, Required: false),
        new ParquetColumn("taken_at", ParquetType.Timestamp, Required: false),
    ]);

    [Fact]
    public async Task RejectedBatchesNameColumnAndRowButNeverTheValueAndTheWriterGoesOn()
    {
        var schema = new ParquetSchema([.. Schema.Columns, new ParquetColumn("code", ParquetType.String, Required: true)]);
        var path = scratch.File("rejects.parquet");
        var errors = new List<ParquetSchemaViolationException>();
        await using (var writer = new ParquetWriter(new NonSeekableStream(File.Create(path)), schema))
        {
            await writer.WriteBatchAsync(RowBatches.Of(schema, [1L, "ok", DateTime.UnixEpoch, "c"]));
            // Rejected when the batch is written, naming the row the value would have had.
            errors.Add(await RejectedAsync(writer, RowBatches.Of(schema, [2L, null, null, "c"], [3L, null, null, null])));         // null in REQUIRED
            errors.Add(await RejectedAsync(writer, RowBatches.Of(schema, [2L, null, null, "c"], [3L, "bad \uD800 " + PatientValue, null, "c"]))); // unpaired surrogate
            errors.Add(await RejectedAsync(writer, RowBatches.Of(Schema, [2L, null, null])));                                       // a batch of another schema
            // Rejected while the batch is filled: a value cannot even be put in the wrong form.
            var batch = new ParquetColumnBatch(schema, 1);
            errors.Add(Assert.Throws<ParquetSchemaViolationException>(() => batch.Nulls(0)));                                      // null in REQUIRED
            errors.Add(Assert.Throws<ParquetSchemaViolationException>(() => batch.Strings(0)));                                    // wrong type
            errors.Add(Assert.Throws<ParquetSchemaViolationException>(() => batch.Int32s(0)));                                     // int for an Int64 column
            errors.Add(Assert.Throws<ParquetSchemaViolationException>(() => batch.Nulls(1)));                                      // strings mark nulls as null
            errors.Add(Assert.Throws<ParquetSchemaViolationException>(() =>
                ParquetValues.ToMicros(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Local))));                                   // local time
            await writer.WriteBatchAsync(RowBatches.Of(schema, [6L, null, null, "c"]));
            Assert.Equal(2, writer.RowCount);
            await writer.CompleteAsync();
        }

        Assert.Equal(
            [ParquetErrorCode.NullInRequiredColumn, ParquetErrorCode.InvalidUtf8, ParquetErrorCode.BatchSchemaMismatch,
             ParquetErrorCode.NullInRequiredColumn, ParquetErrorCode.WrongValueType, ParquetErrorCode.WrongValueType,
             ParquetErrorCode.WrongValueType, ParquetErrorCode.LocalTimestamp],
            errors.Select(e => e.ErrorCode));
        Assert.Equal(["code", "name", null, "id", "id", "id", "name", null], errors.Select(e => e.ColumnName));
        Assert.Equal([2L, 2L, null, null, null, null, null, null], errors.Select(e => e.RowNumber));
        Assert.All(errors, e => Assert.DoesNotContain("Patient", e.Message));

        var result = await DuckDb.QueryAsync($"SELECT list(id ORDER BY id) FROM read_parquet({DuckDb.Literal(path)})");
        Assert.Equal("[\"1\",\"6\"]", result.Scalar.GetRawText().Replace(" ", ""));
    }

    [Fact]
    public async Task ABatchWithOneBadRowWritesNothingOfTheBatch()
    {
        await using var writer = new ParquetWriter(new NonSeekableStream(new MemoryStream()), new ParquetSchema([new ParquetColumn("code", ParquetType.String, true)]));
        var batch = new ParquetColumnBatch(writer.Schema, 4) { RowCount = 3 };
        batch.Strings(0)[0] = "a";
        batch.Strings(0)[1] = null;
        batch.Strings(0)[2] = "c";
        var error = await Assert.ThrowsAsync<ParquetSchemaViolationException>(() => writer.WriteBatchAsync(batch).AsTask());
        Assert.Equal(ParquetErrorCode.NullInRequiredColumn, error.ErrorCode);
        Assert.Equal(1, error.RowNumber);
        Assert.Equal(0, writer.RowCount);
    }

    [Fact]
    public async Task ABadRowAtTheEndOfALargeBatchStopsItBeforeAnyRowGroupIsFlushed()
    {
        // The writer appends a large batch in slices and flushes between them: the check must come before the first.
        var output = new NonSeekableStream(new MemoryStream());
        await using var writer = new ParquetWriter(output, Schema, new ParquetWriterOptions { RowGroupSizeBytes = 1 });
        var rows = Enumerable.Range(0, 10_000).Select(i => new object?[] { (long)i, i == 9_999 ? "\uDC00" : "x", null }).ToArray();
        var error = await Assert.ThrowsAsync<ParquetSchemaViolationException>(() => writer.WriteBatchAsync(RowBatches.Of(Schema, rows)).AsTask());
        Assert.Equal(ParquetErrorCode.InvalidUtf8, error.ErrorCode);
        Assert.Equal(9_999, error.RowNumber);
        Assert.Equal(0, writer.RowCount);
        Assert.Equal(0, writer.RowGroupCount);
        Assert.Equal(0, output.WriteCalls);
    }

    private static Task<ParquetSchemaViolationException> RejectedAsync(ParquetWriter writer, ParquetColumnBatch batch) =>
        Assert.ThrowsAsync<ParquetSchemaViolationException>(() => writer.WriteBatchAsync(batch).AsTask());

    [Fact]
    public async Task InvalidSchemasAreRejectedUpFront()
    {
        var duplicate = new ParquetSchema([new ParquetColumn("a", ParquetType.Int32, true), new ParquetColumn("a", ParquetType.Int64, true)]);
        var error = Assert.Throws<ParquetSchemaViolationException>(() => new ParquetWriter(new MemoryStream(), duplicate));
        Assert.Equal(ParquetErrorCode.InvalidSchema, error.ErrorCode);
        Assert.Equal(ParquetErrorCode.InvalidSchema,
            Assert.Throws<ParquetSchemaViolationException>(() => new ParquetWriter(new MemoryStream(), new ParquetSchema([]))).ErrorCode);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParquetWriter(new MemoryStream(), Schema, new ParquetWriterOptions { PageSizeBytes = 0 }));
    }

    [Fact]
    public async Task DisposingWithoutCompleteLeavesNoFooterAndReadersRefuseTheFile()
    {
        var path = scratch.File("abandoned.parquet");
        await using (var file = new NonSeekableStream(File.Create(path)))
        await using (var writer = new ParquetWriter(file, Schema, new ParquetWriterOptions { RowGroupSizeBytes = 1000 }))
            await writer.WriteRowsAsync(Enumerable.Range(0, 500).Select(i => new object?[] { (long)i, "x", null }), batchRows: 10);

        var bytes = await File.ReadAllBytesAsync(path);
        Assert.True(bytes.Length > 1000, "full row groups were streamed before the abandon");
        Assert.NotEqual("PAR1"u8.ToArray(), bytes[^4..]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => DuckDb.QueryAsync($"SELECT count(*) FROM read_parquet({DuckDb.Literal(path)})"));
    }

    [Fact]
    public async Task AFailedStreamWriteFaultsTheWriterSoTheFileIsNeverCompleted()
    {
        var output = new NonSeekableStream(new MemoryStream());
        await using var writer = new ParquetWriter(output, Schema, new ParquetWriterOptions { RowGroupSizeBytes = 1 });
        output.FailWrites = true;
        await Assert.ThrowsAsync<IOException>(() => writer.WriteBatchAsync(RowBatches.Of(Schema, [1L, "a", null])).AsTask());

        output.FailWrites = false;
        var complete = await Assert.ThrowsAsync<ParquetWriterFaultedException>(() => writer.CompleteAsync());
        Assert.Equal(ParquetErrorCode.WriterFaulted, complete.ErrorCode);
        Assert.IsType<IOException>(complete.InnerException);
        var write = await Assert.ThrowsAsync<ParquetWriterFaultedException>(() => writer.WriteBatchAsync(RowBatches.Of(Schema, [2L, "b", null])).AsTask());
        Assert.Equal(ParquetErrorCode.WriterFaulted, write.ErrorCode);
    }

    [Fact]
    public async Task ACompletedWriterRefusesMoreRows()
    {
        await using var writer = new ParquetWriter(new NonSeekableStream(new MemoryStream()), Schema);
        await writer.CompleteAsync();
        var error = await Assert.ThrowsAsync<ParquetWriterFaultedException>(() => writer.WriteBatchAsync(RowBatches.Of(Schema, [1L, null, null])).AsTask());
        Assert.Equal(ParquetErrorCode.WriterCompleted, error.ErrorCode);
    }

    [Fact]
    public async Task RowGroupsFlushToTheStreamAsTheyFillAndCarryPerGroupStatisticsThatFiltersUse()
    {
        var path = scratch.File("row-groups.parquet");
        var output = new NonSeekableStream(File.Create(path));
        var options = new ParquetWriterOptions
        {
            RowGroupSizeBytes = 64 * 1024,
            KeyValueMetadata = new Dictionary<string, string> { ["omop.schema_version"] = "5.4", ["run_id"] = "run-42" },
        };
        long streamedBeforeComplete;
        await using (var writer = new ParquetWriter(output, Schema, options))
        {
            // Batches larger than the writer's slice: row groups also close inside a batch.
            await writer.WriteRowsAsync(Enumerable.Range(0, 40_000).Select(i =>
                new object?[] { (long)i, i % 3 == 0 ? null : "unit-" + (i % 7), DateTime.UnixEpoch.AddSeconds(i) }), batchRows: 10_000);
            streamedBeforeComplete = output.WriteCalls;
            Assert.True(writer.RowGroupCount > 3, $"only {writer.RowGroupCount} row groups flushed");
            await writer.CompleteAsync();
        }
        await output.DisposeAsync();
        Assert.True(streamedBeforeComplete > 3);

        var file = DuckDb.Literal(path);
        var result = await DuckDb.QueryAsync(
            $"SELECT (SELECT count(*) FROM read_parquet({file}) WHERE id BETWEEN 12345 AND 23456) AS hits, " +
            $"(SELECT count(DISTINCT row_group_id) FROM parquet_metadata({file})) AS groups, " +
            $"(SELECT bool_and(CAST(stats_max_value AS BIGINT) < lead_min OR lead_min IS NULL) FROM (SELECT stats_max_value, " +
            $"   lead(CAST(stats_min_value AS BIGINT)) OVER (ORDER BY row_group_id) AS lead_min FROM parquet_metadata({file}) WHERE path_in_schema = 'id')) AS ordered, " +
            $"(SELECT map_from_entries(list((decode(key), decode(value)))) FROM parquet_kv_metadata({file})) AS kv, " +
            $"(SELECT created_by FROM parquet_file_metadata({file})) AS created_by");
        var row = result.Rows[0];
        Assert.Equal("11112", row[0].ToString());
        Assert.True(long.Parse(row[1].ToString()) > 3);
        Assert.True(row[2].GetBoolean(), "row-group id ranges are disjoint and ascending in the statistics");
        Assert.Contains("run-42", row[3].GetRawText());
        Assert.Contains("5.4", row[3].GetRawText());
        // parquet-mr's VersionParser form: "<application> version <semver> (build <hash>)".
        Assert.Matches(new Regex(@"^ingestion-parquet version \d+\.\d+\.\d+ \(build [^()\s]+\)$"), row[4].GetString());
    }

    [Fact]
    public async Task ZeroRowFilesAreValidParquetWithTheirSchema()
    {
        var path = scratch.File("empty.parquet");
        await using (var writer = new ParquetWriter(new NonSeekableStream(File.Create(path)), Schema))
            await writer.CompleteAsync();
        var result = await DuckDb.QueryAsync($"SELECT count(*) AS n, typeof(any_value(id)), typeof(any_value(name)), typeof(any_value(taken_at)) FROM read_parquet({DuckDb.Literal(path)})");
        Assert.Equal(["0", "BIGINT", "VARCHAR", "TIMESTAMP WITH TIME ZONE"], result.Rows[0].Select(v => v.ToString()));
    }

    [Fact]
    public async Task HowRowsAreSplitIntoBatchesDoesNotChangeTheFile()
    {
        var schema = new ParquetSchema([
            new ParquetColumn("b", ParquetType.Boolean, false), new ParquetColumn("i", ParquetType.Int32, true),
            new ParquetColumn("l", ParquetType.Int64, false), new ParquetColumn("d", ParquetType.Double, false),
            new ParquetColumn("s", ParquetType.String, false), new ParquetColumn("day", ParquetType.Date, true),
            new ParquetColumn("ts", ParquetType.Timestamp, false)]);
        var generator = new ValueGenerator(7);
        var rows = Enumerable.Range(0, 20_000).Select(r => schema.Columns
            .Select(c => !c.Required && generator.Random.Next(5) == 0 ? null : c.Type == ParquetType.String ? "v" + generator.Random.Next(50) : generator.Next(c.Type))
            .ToArray()).ToList();
        // Runs of one value, as a person's or a visit's rows bring them: a third of the values repeat the row before's.
        for (var r = 1; r < rows.Count; r++)
            for (var c = 0; c < schema.Columns.Count; c++)
                if (generator.Random.Next(3) == 0) rows[r][c] = rows[r - 1][c];
        // One row group, so only the batching differs: one row at a time, 3,000 rows, all rows (sliced by the writer).
        var options = new ParquetWriterOptions { PageSizeBytes = 8_000, DictionaryPageSizeLimit = 4_000 };

        var files = new List<byte[]>();
        foreach (var batchRows in new[] { 1, 3_000, rows.Count })
        {
            var output = new MemoryStream();
            await using (var writer = new ParquetWriter(output, schema, options))
            {
                await writer.WriteRowsAsync(rows, batchRows);
                await writer.CompleteAsync();
            }
            files.Add(output.ToArray());
        }

        Assert.True(files[0].AsSpan().SequenceEqual(files[1]), "batches of 3,000 rows differ from single rows");
        Assert.True(files[0].AsSpan().SequenceEqual(files[2]), "one batch of all rows differs from single rows");
    }
}
