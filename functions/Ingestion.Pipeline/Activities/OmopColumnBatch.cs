using Ingestion.Omop;
using Ingestion.Parquet;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Copies a typed OMOP row (<see cref="OmopRowBuffer"/>) into a row of a Parquet column batch of the table's schema
/// (<see cref="OmopParquetSchemas"/>): value for value, no boxing; dates become days since 1970-01-01 and datetimes
/// microseconds since the Unix epoch, the batch's physical forms.
/// </summary>
internal static class OmopColumnBatch
{
    public static void Copy(OmopRowBuffer rows, int row, ParquetColumnBatch batch, int target)
    {
        // Per value on the row path: read the buffer's layout (types, required bits), not the table's column list.
        var types = rows.ColumnTypes;
        var nulls = rows.Nulls(row);
        var required = rows.RequiredColumns;
        for (var i = 0; i < types.Length; i++)
        {
            var type = types[i];
            var isNull = (nulls & (1UL << i)) != 0;
            if (type == OmopColumnType.Varchar)
            {
                // A null string marks a null; the batch write refuses one in a REQUIRED column.
                batch.Strings(i)[target] = isNull ? null : rows.String(row, i);
                continue;
            }
            if ((required & (1UL << i)) != 0)
            {
                if (isNull) throw NullInRequired(rows, i);
            }
            else
            {
                batch.Nulls(i)[target] = isNull;
                if (isNull) continue;
            }
            switch (type)
            {
                case OmopColumnType.BigInt: batch.Int64s(i)[target] = rows.Int64(row, i); break;
                case OmopColumnType.Integer: batch.Int32s(i)[target] = rows.Int32(row, i); break;
                case OmopColumnType.Float: batch.Doubles(i)[target] = rows.Double(row, i); break;
                case OmopColumnType.Date: batch.Int32s(i)[target] = ParquetValues.ToDays(rows.Date(row, i)); break;
                case OmopColumnType.DateTime: batch.Int64s(i)[target] = ParquetValues.ToMicros(rows.DateTime(row, i)); break;
                default: throw new ArgumentException($"Column '{rows.Table.Columns[i].Name}' has an unknown type.", nameof(rows));
            }
        }
    }

    private static ParquetSchemaViolationException NullInRequired(OmopRowBuffer rows, int index)
    {
        var column = rows.Table.Columns[index];
        return new ParquetSchemaViolationException(ParquetErrorCode.NullInRequiredColumn,
            $"Null in REQUIRED column '{column.Name}' of {rows.Table.Name}.", column.Name);
    }
}
