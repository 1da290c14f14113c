using Ingestion.Omop;
using Ingestion.Parquet;
using Ingestion.Pipeline.Activities;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>The file activity's row copy (<see cref="OmopColumnBatch.Copy"/>) fills the batch value for value in the
/// batch's physical forms: every CDM table, nulls in every OPTIONAL column, and a null in a REQUIRED column refused by
/// its first such column.</summary>
public sealed class OmopColumnBatchTests
{
    public static TheoryData<string> Tables => new(CdmTables.All.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Tables))]
    public void Rows_land_value_for_value_in_the_batch(string tableName)
    {
        var table = CdmTables.All.Single(t => t.Name == tableName);
        var random = new Random(tableName.Length * 31);
        var boxed = Enumerable.Range(0, 300).Select(i => table.Columns.Select(c => Value(c, random, i)).ToArray()).ToList();
        var rows = new OmopRowBuffer(table);
        foreach (var row in boxed) rows.AddBoxed(row);
        var schema = OmopParquetSchemas.For(table);
        var batch = new ParquetColumnBatch(schema, boxed.Count) { RowCount = boxed.Count };

        for (var i = 0; i < boxed.Count; i++) OmopColumnBatch.Copy(rows, i, batch, i);

        for (var r = 0; r < boxed.Count; r++)
        {
            for (var c = 0; c < table.Columns.Count; c++)
            {
                var column = table.Columns[c];
                var expected = boxed[r][c];
                if (column.Type == OmopColumnType.Varchar)
                {
                    Assert.Equal(expected, batch.Strings(c)[r]);
                    continue;
                }
                if (!column.Required) Assert.Equal(expected is null, batch.Nulls(c)[r]);
                if (expected is null) continue;
                // The batch's physical forms: days since 1970-01-01, microseconds since the epoch.
                (object Expected, object Actual) value = column.Type switch
                {
                    OmopColumnType.BigInt => (expected, (object)batch.Int64s(c)[r]),
                    OmopColumnType.Integer => (expected, (object)batch.Int32s(c)[r]),
                    OmopColumnType.Float => (expected, (object)batch.Doubles(c)[r]),
                    OmopColumnType.Date => ((object)ParquetValues.ToDays((DateOnly)expected), (object)batch.Int32s(c)[r]),
                    OmopColumnType.DateTime => ((object)ParquetValues.ToMicros((DateTime)expected), (object)batch.Int64s(c)[r]),
                    _ => throw new ArgumentOutOfRangeException(nameof(tableName)),
                };
                Assert.Equal(value.Expected, value.Actual);
            }
        }
    }

    [Fact]
    public void A_null_in_a_required_column_is_refused_by_the_first_such_column()
    {
        var table = CdmTables.Measurement;
        var values = table.Columns.Select(c => Value(c, new Random(3), 0)).ToArray();
        values[table.Columns.ToList().FindIndex(c => c.Name == "measurement_concept_id")] = null;
        values[table.Columns.ToList().FindIndex(c => c.Name == "measurement_date")] = null;
        var rows = new OmopRowBuffer(table);
        rows.AddBoxed(values);
        var batch = new ParquetColumnBatch(OmopParquetSchemas.For(table), 4);

        var error = Assert.Throws<ParquetSchemaViolationException>(() => OmopColumnBatch.Copy(rows, 0, batch, 0));

        Assert.Equal(ParquetErrorCode.NullInRequiredColumn, error.ErrorCode);
        Assert.Contains("'measurement_concept_id' of measurement", error.Message);
    }

    private static object? Value(OmopColumn column, Random random, int i)
    {
        if (!column.Required && random.Next(3) == 0) return null;
        return column.Type switch
        {
            OmopColumnType.BigInt => random.NextInt64(long.MinValue, long.MaxValue),
            OmopColumnType.Integer => random.Next(int.MinValue, int.MaxValue),
            OmopColumnType.Float => random.NextDouble() * 1e6 - 5e5,
            OmopColumnType.Varchar => "v" + (i % 7),
            OmopColumnType.Date => new DateOnly(1900, 1, 1).AddDays(random.Next(60_000)),
            OmopColumnType.DateTime => new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(random.NextInt64(0, 4_000_000_000_000_000L)),
            _ => throw new ArgumentOutOfRangeException(nameof(column)),
        };
    }
}
