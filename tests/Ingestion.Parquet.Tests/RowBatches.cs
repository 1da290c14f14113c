namespace Ingestion.Parquet.Tests;

/// <summary>
/// The tests generate and compare rows as boxed values; the writer takes typed column batches only. This fills
/// batches from such rows through the batch's public setters, the way a product caller does.
/// </summary>
internal static class RowBatches
{
    /// <summary>Writes the rows through one reused batch of <paramref name="batchRows"/> rows.</summary>
    public static async Task WriteRowsAsync(this ParquetWriter writer, IEnumerable<object?[]> rows, int batchRows = 100)
    {
        var batch = new ParquetColumnBatch(writer.Schema, batchRows);
        foreach (var chunk in rows.Chunk(batchRows))
        {
            Fill(batch, chunk);
            await writer.WriteBatchAsync(batch);
        }
    }

    /// <summary>A batch holding exactly these rows.</summary>
    public static ParquetColumnBatch Of(ParquetSchema schema, params object?[][] rows)
    {
        var batch = new ParquetColumnBatch(schema, Math.Max(1, rows.Length));
        Fill(batch, rows);
        return batch;
    }

    /// <summary>Empties the batch and fills it with the rows (values in schema order: bool, int, long, double, string,
    /// DateOnly, DateTime or DateTimeOffset; null for a null).</summary>
    public static void Fill(ParquetColumnBatch batch, IReadOnlyList<object?[]> rows)
    {
        batch.Clear();
        batch.RowCount = rows.Count;
        for (var r = 0; r < rows.Count; r++) Fill(batch, r, rows[r]);
    }

    private static void Fill(ParquetColumnBatch batch, int row, object?[] values)
    {
        for (var c = 0; c < values.Length; c++)
        {
            var column = batch.Schema.Columns[c];
            switch (values[c])
            {
                case null when column.Type == ParquetType.String: batch.Strings(c)[row] = null; break;
                case null: batch.Nulls(c)[row] = true; break;
                case bool b: batch.Booleans(c)[row] = b; break;
                case int i: batch.Int32s(c)[row] = i; break;
                case long l: batch.Int64s(c)[row] = l; break;
                case double d: batch.Doubles(c)[row] = d; break;
                case string s: batch.Strings(c)[row] = s; break;
                case DateOnly day: batch.Int32s(c)[row] = ParquetValues.ToDays(day); break;
                case DateTime time: batch.Int64s(c)[row] = ParquetValues.ToMicros(time); break;
                case DateTimeOffset time: batch.Int64s(c)[row] = ParquetValues.ToMicros(time); break;
                default: throw new ArgumentException($"No batch form for a {values[c]!.GetType().Name}.", nameof(values));
            }
        }
    }
}
