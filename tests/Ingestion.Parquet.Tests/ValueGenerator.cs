using System.Text;

namespace Ingestion.Parquet.Tests;

/// <summary>Deterministic random values per column type, weighted towards the edges readers get wrong.</summary>
internal sealed class ValueGenerator(int seed)
{
    private static readonly string[] Words = ["", "a", "mg/dL", "é", "日本語", "Ωmega", "🧪 test", "tab\tnew\nline", "quote'\"", "\u00ff\u0100", "z", "\uE000private", "𝒳"];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    public object Next(ParquetType type) => type switch
    {
        ParquetType.Boolean => _random.Next(2) == 0,
        ParquetType.Int32 => Pick(() => _random.Next(int.MinValue, int.MaxValue), () => _random.Next(-5, 5), int.MinValue, int.MaxValue, 0),
        ParquetType.Int64 => Pick(() => _random.NextInt64(long.MinValue, long.MaxValue), () => _random.NextInt64(-5, 5), long.MinValue, long.MaxValue, 0L),
        ParquetType.Double => Pick(() => (_random.NextDouble() - 0.5) * Math.Pow(10, _random.Next(-300, 300)), () => Math.Round(_random.NextDouble() * 100, 2),
            double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.MaxValue, double.MinValue, double.Epsilon),
        ParquetType.String => NextString(),
        ParquetType.Date => Pick(() => DateOnly.FromDayNumber(_random.Next(DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber)),
            () => new DateOnly(2020, 1, 1).AddDays(_random.Next(-1000, 1000)), DateOnly.MinValue, DateOnly.MaxValue, new DateOnly(1970, 1, 1), new DateOnly(1969, 12, 31)),
        ParquetType.Timestamp => Pick<object>(
            () => new DateTime(_random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks) / 10 * 10, DateTimeKind.Utc),
            () => new DateTimeOffset(2024, 5, 1, 8, 30, 0, TimeSpan.FromHours(_random.Next(-12, 13))).AddTicks(_random.Next(0, 1_000_000) * 10L),
            new DateTime(1969, 12, 31, 23, 59, 59, 999, 999, DateTimeKind.Utc), DateTime.UnixEpoch, new DateTime(DateTime.MaxValue.Ticks / 10 * 10, DateTimeKind.Utc),
            DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc)),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private T Pick<T>(Func<T> wide, Func<T> narrow, params T[] edges) => _random.Next(10) switch
    {
        0 or 1 => edges[_random.Next(edges.Length)],
        2 or 3 or 4 => narrow(),
        _ => wide(),
    };

    private string NextString()
    {
        switch (_random.Next(20))
        {
            case 0: return new string('x', _random.Next(10_000, 100_000)); // very long
            case < 8: return Words[_random.Next(Words.Length)];
            default:
                var builder = new StringBuilder();
                var length = _random.Next(0, 30);
                for (var i = 0; i < length; i++)
                {
                    var code = _random.Next(4) switch
                    {
                        0 => _random.Next(0x20, 0x7F),
                        1 => _random.Next(0xA0, 0x800),
                        2 => _random.Next(0x800, 0xD800),
                        _ => _random.Next(0x10000, 0x10FFFF),
                    };
                    builder.Append(char.ConvertFromUtf32(code));
                }
                return builder.ToString();
        }
    }
}
