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
    public static string Encode(OmopTable table, object?[] row)
    {
        var line = new StringBuilder(64);
        for (var i = 0; i < table.Columns.Count; i++)
        {
            if (i > 0) line.Append(',');
            switch (row[i])
            {
                case null: break;
                case string s: line.Append('s').Append(Uri.EscapeDataString(s)); break;
                case DateOnly d: line.Append(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
                case DateTime t: line.Append(t.ToString("O", CultureInfo.InvariantCulture)); break;
                case IFormattable f: line.Append(f.ToString(null, CultureInfo.InvariantCulture)); break;
                default: throw new ArgumentException($"Unsupported value in {table.Name} column {i}.", nameof(row));
            }
        }
        return line.ToString();
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
