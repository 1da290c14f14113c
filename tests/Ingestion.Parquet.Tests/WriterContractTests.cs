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
    public async Task RejectedRowsNameColumnAndRowButNeverTheValueAndTheWriterGoesOn()
    {
        var path = scratch.File("rejects.parquet");
        var errors = new List<ParquetSchemaViolationException>();
        await using (var writer = new ParquetWriter(new NonSeekableStream(File.Create(path)), Schema))
        {
            await writer.WriteRowAsync([1L, "ok", DateTime.UnixEpoch]);
            object?[][] bad =
            [
                [null, PatientValue, null],                                    // null in REQUIRED
                [PatientValue, null, null],                                    // wrong type
                [2L, "bad \uD800 " + PatientValue, null],                      // unpaired surrogate: no UTF-8 form
                [3L, PatientValue, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Local)],
                [4L, PatientValue],                                            // too short
                [5, PatientValue, null],                                       // int for an Int64 column
            ];
            foreach (var row in bad)
                errors.Add(await Assert.ThrowsAsync<ParquetSchemaViolationException>(() => writer.WriteRowAsync(row).AsTask()));
            await writer.WriteRowAsync([6L, null, null]);
            Assert.Equal(2, writer.RowCount);
            await writer.CompleteAsync();
        }

        Assert.Equal(
            [ParquetErrorCode.NullInRequiredColumn, ParquetErrorCode.WrongValueType, ParquetErrorCode.InvalidUtf8,
             ParquetErrorCode.LocalTimestamp, ParquetErrorCode.RowLengthMismatch, ParquetErrorCode.WrongValueType],
            errors.Select(e => e.ErrorCode));
        Assert.Equal(["id", "id", "name", "taken_at", null, "id"], errors.Select(e => e.ColumnName));
        Assert.All(errors, e => Assert.Equal(1, e.RowNumber));
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
            for (var i = 0; i < 500; i++) await writer.WriteRowAsync([(long)i, "x", null]);

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
        await Assert.ThrowsAsync<IOException>(() => writer.WriteRowAsync([1L, "a", null]).AsTask());

        output.FailWrites = false;
        var complete = await Assert.ThrowsAsync<ParquetWriterFaultedException>(() => writer.CompleteAsync());
        Assert.Equal(ParquetErrorCode.WriterFaulted, complete.ErrorCode);
        Assert.IsType<IOException>(complete.InnerException);
        var write = await Assert.ThrowsAsync<ParquetWriterFaultedException>(() => writer.WriteRowAsync([2L, "b", null]).AsTask());
        Assert.Equal(ParquetErrorCode.WriterFaulted, write.ErrorCode);
    }

    [Fact]
    public async Task ACompletedWriterRefusesMoreRows()
    {
        await using var writer = new ParquetWriter(new NonSeekableStream(new MemoryStream()), Schema);
        await writer.CompleteAsync();
        var error = await Assert.ThrowsAsync<ParquetWriterFaultedException>(() => writer.WriteRowAsync([1L, null, null]).AsTask());
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
            for (var i = 0; i < 40_000; i++)
                await writer.WriteRowAsync([(long)i, i % 3 == 0 ? null : "unit-" + (i % 7), DateTime.UnixEpoch.AddSeconds(i)]);
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
    public async Task TheColumnarBatchApiWritesTheSameBytesAsTheRowApi()
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
        // One row group: the row API checks the row-group size after every row, the batch API after each slice.
        var options = new ParquetWriterOptions { PageSizeBytes = 8_000, DictionaryPageSizeLimit = 4_000 };

        var byRows = new MemoryStream();
        await using (var writer = new ParquetWriter(byRows, schema, options))
        {
            foreach (var row in rows) await writer.WriteRowAsync(row);
            await writer.CompleteAsync();
        }

        var byBatches = new MemoryStream();
        await using (var writer = new ParquetWriter(byBatches, schema, options))
        {
            var batch = new ParquetColumnBatch(schema, 3000);
            foreach (var chunk in rows.Chunk(3000))
            {
                batch.Clear();
                batch.RowCount = chunk.Length;
                for (var r = 0; r < chunk.Length; r++) Fill(batch, r, chunk[r]);
                await writer.WriteBatchAsync(batch);
            }
            await writer.CompleteAsync();
        }

        Assert.True(byRows.ToArray().AsSpan().SequenceEqual(byBatches.ToArray()), "batch output differs from row output");
    }

    private static void Fill(ParquetColumnBatch batch, int row, object?[] values)
    {
        for (var c = 0; c < values.Length; c++)
        {
            var column = batch.Schema.Columns[c];
            if (values[c] is null)
            {
                if (column.Type == ParquetType.String) batch.Strings(c)[row] = null;
                else batch.Nulls(c)[row] = true;
                continue;
            }
            switch (values[c])
            {
                case bool b: batch.Booleans(c)[row] = b; break;
                case int i: batch.Int32s(c)[row] = i; break;
                case long l: batch.Int64s(c)[row] = l; break;
                case double d: batch.Doubles(c)[row] = d; break;
                case string s: batch.Strings(c)[row] = s; break;
                case DateOnly day: batch.Int32s(c)[row] = ParquetValues.ToDays(day); break;
                case DateTime time: batch.Int64s(c)[row] = ParquetValues.ToMicros(time); break;
                case DateTimeOffset time: batch.Int64s(c)[row] = ParquetValues.ToMicros(time); break;
            }
        }
    }
}
