using System.Globalization;

namespace Ingestion.Parquet.Tests;

/// <summary>
/// Compares written values with what a reader returns as text: integers exact, DATE as days and TIMESTAMP as
/// microseconds since the epoch, doubles by bits (any NaN equals any NaN), strings ordinal, booleans true/false.
/// </summary>
internal static class CanonicalValue
{
    /// <summary>DuckDB SQL turning column <paramref name="column"/> into that text.</summary>
    public static string DuckDbExpression(ParquetType type, string column) => type switch
    {
        ParquetType.Date => $"CAST(date_diff('day', DATE '1970-01-01', {column}) AS VARCHAR)",
        ParquetType.Timestamp => $"CAST(epoch_us({column}) AS VARCHAR)",
        ParquetType.String => column,
        _ => $"CAST({column} AS VARCHAR)",
    };

    public static string? Expected(ParquetType type, object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => s,
        DateOnly date => Days(date).ToString(CultureInfo.InvariantCulture),
        DateTime time => Micros(time.Ticks).ToString(CultureInfo.InvariantCulture),
        DateTimeOffset time => Micros(time.UtcTicks).ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"unexpected {value.GetType()} for {type}"),
    };

    // Computed independently of the writer's own conversions, so a wrong epoch or unit cannot agree with itself.
    private static long Days(DateOnly date) => (long)(date.ToDateTime(TimeOnly.MinValue) - new DateTime(1970, 1, 1)).TotalDays;

    private static long Micros(long ticks) => (long)Math.Floor((ticks - new DateTime(1970, 1, 1).Ticks) / 10m);

    public static bool Matches(ParquetType type, string? expected, string? actual)
    {
        if (expected is null || actual is null) return expected is null && actual is null;
        if (type != ParquetType.Double) return string.Equals(expected, actual, StringComparison.Ordinal);
        var (e, a) = (ParseDouble(expected), ParseDouble(actual));
        return double.IsNaN(e) ? double.IsNaN(a) : BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(a);
    }

    private static double ParseDouble(string text) => text.ToLowerInvariant() switch
    {
        "nan" or "-nan" => double.NaN,
        "inf" or "infinity" => double.PositiveInfinity,
        "-inf" or "-infinity" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
