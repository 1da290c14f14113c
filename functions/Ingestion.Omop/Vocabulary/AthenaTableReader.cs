using System.Buffers.Text;
using System.Text;

namespace Ingestion.Omop;

/// <summary>
/// Streams the rows of one Athena vocabulary table (tab-delimited as Athena ships it, or RFC 4180 CSV) as rows of a
/// <see cref="VocabularyTables"/> table, matching columns by header name. Dates may be <c>YYYYMMDD</c> (Athena) or
/// <c>YYYY-MM-DD</c>. Errors are <see cref="VocabularyFormatException"/> with the line number (never a value).
/// </summary>
public static class AthenaTableReader
{
    /// <summary>The file name Athena uses for a table (CONCEPT.csv, CONCEPT_ANCESTOR.csv, ...).</summary>
    public static string FileNameOf(OmopTable table) => table.Name.ToUpperInvariant() + ".csv";

    public static IEnumerable<object?[]> ReadRows(Stream stream, OmopTable table)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(table);
        var name = FileNameOf(table);
        using var reader = new DelimitedRowReader(stream, name);
        var indexes = table.Columns.Select(c => reader.ColumnIndex(c.Name)).ToArray();
        while (reader.ReadRow())
        {
            var row = new object?[table.Columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                var column = table.Columns[i];
                var field = reader[indexes[i]];
                if (field.IsEmpty)
                {
                    if (column.Required) throw new VocabularyFormatException("MissingValue", $"{name} line {reader.LineNumber}: {column.Name} is empty.");
                    continue;
                }
                row[i] = column.Type switch
                {
                    OmopColumnType.Integer => reader.Int32(indexes[i]),
                    OmopColumnType.Date => ParseDate(field) ?? throw new VocabularyFormatException("BadDate", $"{name} line {reader.LineNumber}: {column.Name} is not a date."),
                    _ => Encoding.UTF8.GetString(field),
                };
            }
            yield return row;
        }
    }

    private static DateOnly? ParseDate(ReadOnlySpan<byte> field)
    {
        int year, month, day;
        if (field.Length == 8 && Digits(field, out year, 0, 4) && Digits(field, out month, 4, 2) && Digits(field, out day, 6, 2)) { }
        else if (field.Length == 10 && field[4] == '-' && field[7] == '-' && Digits(field, out year, 0, 4) && Digits(field, out month, 5, 2) && Digits(field, out day, 8, 2)) { }
        else return null;
        return month is >= 1 and <= 12 && year >= 1 && day >= 1 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;
    }

    private static bool Digits(ReadOnlySpan<byte> field, out int value, int start, int length) =>
        Utf8Parser.TryParse(field.Slice(start, length), out value, out var consumed) && consumed == length && value >= 0;
}
