using System.Globalization;
using System.Text;
using Ingestion.Omop;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// One staged row as one CSV line, typed by its <see cref="OmopTable"/> (the pipeline writes Parquet but has no
/// Parquet reader). Null is an empty cell; text is prefixed with 's' and percent-encoded, so commas, newlines and
/// the empty string survive.
/// </summary>
internal static class StagedRowCodec
{
    /// <summary>Appends row <paramref name="row"/> of <paramref name="rows"/> to <paramref name="line"/> (no line end).</summary>
    public static void Encode(StringBuilder line, OmopRowBuffer rows, int row)
    {
        var columns = rows.Table.Columns;
        var invariant = CultureInfo.InvariantCulture;
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0) line.Append(',');
            if (rows.IsNull(row, i)) continue;
            switch (columns[i].Type)
            {
                case OmopColumnType.Varchar: line.Append('s').Append(Uri.EscapeDataString(rows.String(row, i)!)); break;
                case OmopColumnType.Date: line.Append(invariant, $"{rows.Date(row, i):yyyy-MM-dd}"); break;
                case OmopColumnType.DateTime: line.Append(invariant, $"{rows.DateTime(row, i):O}"); break;
                case OmopColumnType.BigInt: line.Append(invariant, $"{rows.Int64(row, i)}"); break;
                case OmopColumnType.Integer: line.Append(invariant, $"{rows.Int32(row, i)}"); break;
                case OmopColumnType.Float: line.Append(invariant, $"{rows.Double(row, i)}"); break;
                default: throw new ArgumentException($"Unsupported column type in {rows.Table.Name} column {i}.", nameof(rows));
            }
        }
    }

    public static object?[] Decode(OmopTable table, string line)
    {
        var cells = line.Split(',');
        if (cells.Length != table.Columns.Count) throw new FormatException($"A staged {table.Name} line has {cells.Length} cells, expected {table.Columns.Count}.");
        var row = new object?[cells.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = cells[i];
            if (cell.Length == 0) continue;
            row[i] = table.Columns[i].Type switch
            {
                OmopColumnType.BigInt => long.Parse(cell, CultureInfo.InvariantCulture),
                OmopColumnType.Integer => int.Parse(cell, CultureInfo.InvariantCulture),
                OmopColumnType.Float => double.Parse(cell, CultureInfo.InvariantCulture),
                OmopColumnType.Varchar => Uri.UnescapeDataString(cell[1..]),
                OmopColumnType.Date => DateOnly.ParseExact(cell, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                OmopColumnType.DateTime => DateTime.Parse(cell, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                _ => throw new FormatException($"Unknown column type in {table.Name}."),
            };
        }
        return row;
    }
}
