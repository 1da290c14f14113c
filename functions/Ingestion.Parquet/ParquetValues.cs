namespace Ingestion.Parquet;

/// <summary>Conversions from .NET date/time values to the stored Parquet representation.</summary>
public static class ParquetValues
{
    private static readonly int EpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;

    /// <summary>DATE: days since 1970-01-01.</summary>
    public static int ToDays(DateOnly date) => date.DayNumber - EpochDayNumber;

    /// <summary>
    /// TIMESTAMP(MICROS, UTC): microseconds since 1970-01-01T00:00:00Z, sub-microsecond ticks floored.
    /// <see cref="DateTimeKind.Unspecified"/> is taken as UTC; <see cref="DateTimeKind.Local"/> is rejected
    /// (a local time silently shifted by the host's time zone is a data error, not a conversion).
    /// </summary>
    public static long ToMicros(DateTime timestamp)
    {
        if (timestamp.Kind == DateTimeKind.Local)
            throw new ParquetSchemaViolationException(ParquetErrorCode.LocalTimestamp,
                "Timestamp values must be UTC (DateTimeKind.Utc or Unspecified) or DateTimeOffset; DateTimeKind.Local is rejected.");
        return TicksToMicros(timestamp.Ticks);
    }

    /// <summary>TIMESTAMP(MICROS, UTC) of the instant, whatever its offset.</summary>
    public static long ToMicros(DateTimeOffset timestamp) => TicksToMicros(timestamp.UtcTicks);

    private static long TicksToMicros(long ticks) => Math.DivRem(ticks - DateTime.UnixEpoch.Ticks, 10, out var rest) - (rest < 0 ? 1 : 0);
}
