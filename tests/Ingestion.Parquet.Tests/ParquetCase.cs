using System.Globalization;
using System.Text;

namespace Ingestion.Parquet.Tests;

/// <summary>One written test file: its schema, options and the rows that went in.</summary>
internal sealed record ParquetCase(string Name, string Path, ParquetSchema Schema, ParquetWriterOptions Options, IReadOnlyList<object?[]> Rows)
{
    public static async Task<ParquetCase> WriteAsync(string name, string path, ParquetSchema schema, ParquetWriterOptions options, IReadOnlyList<object?[]> rows, int batchRows = 100)
    {
        await using var file = new NonSeekableStream(File.Create(path));
        await using var writer = new ParquetWriter(file, schema, options);
        await writer.WriteRowsAsync(rows, batchRows);
        await writer.CompleteAsync();
        return new ParquetCase(name, path, schema, options, rows);
    }

    public static string DuckDbType(ParquetType type) => type switch
    {
        ParquetType.Boolean => "BOOLEAN",
        ParquetType.Int32 => "INTEGER",
        ParquetType.Int64 => "BIGINT",
        ParquetType.Double => "DOUBLE",
        ParquetType.String => "VARCHAR",
        ParquetType.Date => "DATE",
        ParquetType.Timestamp => "TIMESTAMP WITH TIME ZONE",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Expected (min, max) statistics in canonical text, by the column's sort order; nulls when none are written.</summary>
    public (string? Min, string? Max) ExpectedStatistics(int column)
    {
        var type = Schema.Columns[column].Type;
        var values = Rows.Select(r => r[column]).Where(v => v is not null).Select(v => v!).ToList();
        if (type == ParquetType.Double) values = values.Where(v => !double.IsNaN((double)v)).ToList();
        if (values.Count == 0) return (null, null);
        values.Sort(Compare);
        var (low, high) = (values[0], values[^1]);
        if (type == ParquetType.String)
            return Encoding.UTF8.GetByteCount((string)low) > 4096 || Encoding.UTF8.GetByteCount((string)high) > 4096 ? (null, null) : ((string)low, (string)high);
        if (type == ParquetType.Double)
        {
            if ((double)low == 0) low = -0.0;
            if ((double)high == 0) high = 0.0;
        }
        return (CanonicalValue.Expected(type, low), CanonicalValue.Expected(type, high));
    }

    /// <summary>The column sort order: signed numbers and times, false &lt; true, strings by UTF-8 bytes; NaN above everything (DuckDB's order).</summary>
    public static int Compare(object a, object b) => (a, b) switch
    {
        (bool x, bool y) => x.CompareTo(y),
        (int x, int y) => x.CompareTo(y),
        (long x, long y) => x.CompareTo(y),
        (double x, double y) => double.IsNaN(x) || double.IsNaN(y) ? double.IsNaN(x).CompareTo(double.IsNaN(y)) : x.CompareTo(y) is var c && x == y ? 0 : c,
        (DateOnly x, DateOnly y) => x.CompareTo(y),
        (string x, string y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)),
        _ => Micros(a).CompareTo(Micros(b)),
    };

    private static long Micros(object time) => time is DateTimeOffset offset ? ParquetValues.ToMicros(offset) : ParquetValues.ToMicros((DateTime)time);

    public static string SqlLiteral(ParquetType type, object value) => type switch
    {
        ParquetType.Boolean => (bool)value ? "true" : "false",
        ParquetType.Int32 => ((int)value).ToString(CultureInfo.InvariantCulture),
        ParquetType.Int64 => ((long)value).ToString(CultureInfo.InvariantCulture) + "::BIGINT",
        ParquetType.Double => $"CAST('{((double)value).ToString("R", CultureInfo.InvariantCulture)}' AS DOUBLE)",
        ParquetType.String => "'" + ((string)value).Replace("'", "''") + "'",
        ParquetType.Date => $"(DATE '1970-01-01' + {CanonicalValue.Expected(type, value)})",
        ParquetType.Timestamp => $"(to_timestamp(0) + to_microseconds({CanonicalValue.Expected(type, value)}))",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
