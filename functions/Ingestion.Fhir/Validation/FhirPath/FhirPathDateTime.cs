using System.Globalization;
using System.Text;

namespace Ingestion.Fhir.Validation.FhirPath;

public enum FhirPathTemporalKind
{
    Date,
    DateTime,
    Time,
}

/// <summary>Precision of a partial date/time, coarsest first. Seconds and milliseconds compare at the same precision.</summary>
public enum FhirPathPrecision
{
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
}

/// <summary>
/// A FHIRPath Date, DateTime or Time with partial precision and an optional time-zone offset (minutes). Comparison
/// follows FHIRPath: values are compared unit by unit down to the coarser precision; if they are equal there and the
/// precisions differ, the result is unknown (null).
/// </summary>
public sealed record FhirPathDateTime(
    FhirPathTemporalKind Kind,
    FhirPathPrecision Precision,
    int Year,
    int Month,
    int Day,
    int Hour,
    int Minute,
    int Second,
    int Millisecond,
    int? OffsetMinutes)
{
    /// <summary>Parses FHIR/FHIRPath text without the leading '@' (<c>2014-01</c>, <c>2014-01-25T14:30:14.559+10:00</c>, <c>T14:30</c>).</summary>
    public static FhirPathDateTime? TryParse(ReadOnlySpan<char> text, FhirPathTemporalKind? expected = null)
    {
        if (text.Length > 0 && text[0] == 'T') return TryParseTime(text[1..]);
        int pos = 0;
        if (!Digits(text, ref pos, 4, out var year)) return null;
        var precision = FhirPathPrecision.Year;
        int month = 1, day = 1;
        if (pos < text.Length && text[pos] == '-')
        {
            pos++;
            if (!Digits(text, ref pos, 2, out month) || month is < 1 or > 12) return null;
            precision = FhirPathPrecision.Month;
            if (pos < text.Length && text[pos] == '-')
            {
                pos++;
                if (!Digits(text, ref pos, 2, out day) || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), month)) return null;
                precision = FhirPathPrecision.Day;
            }
        }
        if (pos == text.Length)
            return expected == FhirPathTemporalKind.DateTime
                ? new(FhirPathTemporalKind.DateTime, precision, year, month, day, 0, 0, 0, 0, null)
                : new(FhirPathTemporalKind.Date, precision, year, month, day, 0, 0, 0, 0, null);
        if (text[pos] != 'T') return null;
        pos++;
        var time = TryParseTime(text[pos..], allowOffset: true);
        if (pos == text.Length) return new(FhirPathTemporalKind.DateTime, precision, year, month, day, 0, 0, 0, 0, null);
        if (time is null || precision != FhirPathPrecision.Day) return null;
        return time with { Kind = FhirPathTemporalKind.DateTime, Year = year, Month = month, Day = day };
    }

    private static FhirPathDateTime? TryParseTime(ReadOnlySpan<char> text, bool allowOffset = false)
    {
        int pos = 0;
        int minute = 0, second = 0, millisecond = 0;
        if (!Digits(text, ref pos, 2, out var hour) || hour > 23) return null;
        var precision = FhirPathPrecision.Hour;
        if (pos < text.Length && text[pos] == ':')
        {
            pos++;
            if (!Digits(text, ref pos, 2, out minute) || minute > 59) return null;
            precision = FhirPathPrecision.Minute;
            if (pos < text.Length && text[pos] == ':')
            {
                pos++;
                if (!Digits(text, ref pos, 2, out second) || second > 59) return null;
                precision = FhirPathPrecision.Second;
                if (pos < text.Length && text[pos] == '.')
                {
                    pos++;
                    var start = pos;
                    var fraction = 0;
                    while (pos < text.Length && char.IsAsciiDigit(text[pos]))
                    {
                        if (pos - start < 3) fraction = fraction * 10 + (text[pos] - '0');
                        pos++;
                    }
                    if (pos == start) return null;
                    for (var i = pos - start; i < 3; i++) fraction *= 10;
                    millisecond = fraction;
                    precision = FhirPathPrecision.Millisecond;
                }
            }
        }
        int? offset = null;
        if (pos < text.Length)
        {
            if (!allowOffset) return null;
            if (text[pos] == 'Z')
            {
                offset = 0;
                pos++;
            }
            else if (text[pos] is '+' or '-')
            {
                var sign = text[pos] == '-' ? -1 : 1;
                pos++;
                if (!Digits(text, ref pos, 2, out var oh) || pos >= text.Length || text[pos] != ':') return null;
                pos++;
                if (!Digits(text, ref pos, 2, out var om)) return null;
                offset = sign * (oh * 60 + om);
            }
            if (pos != text.Length) return null;
        }
        return new(FhirPathTemporalKind.Time, precision, 0, 1, 1, hour, minute, second, millisecond, offset);
    }

    private static bool Digits(ReadOnlySpan<char> text, ref int pos, int count, out int value)
    {
        value = 0;
        if (pos + count > text.Length) return false;
        for (var i = 0; i < count; i++)
        {
            var c = text[pos + i];
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        pos += count;
        return true;
    }

    /// <summary>The value at UTC when it has an offset and a time part (so 10:00+10:00 equals 00:00Z).</summary>
    private FhirPathDateTime Normalized()
    {
        if (OffsetMinutes is not { } offset || offset == 0 || Precision < FhirPathPrecision.Hour || Kind == FhirPathTemporalKind.Time) return this;
        var instant = new DateTime(Year, Month, Day, Hour, Minute, Second, Millisecond, DateTimeKind.Unspecified).AddMinutes(-offset);
        return this with { Year = instant.Year, Month = instant.Month, Day = instant.Day, Hour = instant.Hour, Minute = instant.Minute, OffsetMinutes = 0 };
    }

    private int Part(FhirPathPrecision p) => p switch
    {
        FhirPathPrecision.Year => Year,
        FhirPathPrecision.Month => Month,
        FhirPathPrecision.Day => Day,
        FhirPathPrecision.Hour => Hour,
        FhirPathPrecision.Minute => Minute,
        _ => Second * 1000 + Millisecond,
    };

    private static FhirPathPrecision Effective(FhirPathPrecision p) => p == FhirPathPrecision.Millisecond ? FhirPathPrecision.Second : p;

    /// <summary>-1, 0, 1, or null when the values are equal down to the coarser precision but their precisions differ.</summary>
    public static int? Compare(FhirPathDateTime a, FhirPathDateTime b)
    {
        if (a.Kind == FhirPathTemporalKind.Time != (b.Kind == FhirPathTemporalKind.Time)) return null;
        // One with a time zone and one without cannot be ordered at hour precision or finer.
        if (a.OffsetMinutes.HasValue != b.OffsetMinutes.HasValue && a.Precision >= FhirPathPrecision.Hour && b.Precision >= FhirPathPrecision.Hour) return null;
        if (a.OffsetMinutes.HasValue && b.OffsetMinutes.HasValue)
        {
            a = a.Normalized();
            b = b.Normalized();
        }
        var first = a.Kind == FhirPathTemporalKind.Time ? FhirPathPrecision.Hour : FhirPathPrecision.Year;
        var pa = Effective(a.Precision);
        var pb = Effective(b.Precision);
        var common = pa < pb ? pa : pb;
        for (var p = first; p <= common; p++)
        {
            var c = a.Part(p).CompareTo(b.Part(p));
            if (c != 0) return Math.Sign(c);
        }
        return pa == pb ? 0 : null;
    }

    /// <summary>Adds a calendar/time quantity at this value's precision (FHIRPath date arithmetic); null when the unit is not a duration.</summary>
    public FhirPathDateTime? Add(FhirPathQuantity quantity, int sign)
    {
        // UCUM 'a' and 'mo' are definite durations, not calendar years/months: they do not apply to dates.
        if (quantity.Unit is "a" or "mo") return null;
        var unit = FhirPathQuantity.NormalizeUnit(quantity.Unit);
        var amount = quantity.Value * sign;
        var whole = (int)decimal.Truncate(amount);
        var value = new DateTime(Math.Max(1, Year), Month, Day, Hour, Minute, Second, Millisecond, DateTimeKind.Unspecified);
        if (Kind == FhirPathTemporalKind.Time) value = new DateTime(2000, 1, 1, Hour, Minute, Second, Millisecond, DateTimeKind.Unspecified);
        DateTime result;
        switch (unit)
        {
            case "a": result = value.AddYears(whole); break;
            case "mo": result = value.AddMonths(whole); break;
            case "wk": result = AddAtPrecision(value, whole * 7m, FhirPathPrecision.Day); break;
            case "d": result = AddAtPrecision(value, whole, FhirPathPrecision.Day); break;
            case "h": result = AddAtPrecision(value, whole, FhirPathPrecision.Hour); break;
            case "min": result = AddAtPrecision(value, whole, FhirPathPrecision.Minute); break;
            case "s": result = AddAtPrecision(value, whole, FhirPathPrecision.Second); break;
            case "ms": result = AddAtPrecision(value, amount, FhirPathPrecision.Millisecond); break;
            default: return null;
        }
        if (Kind == FhirPathTemporalKind.Time) return this with { Hour = result.Hour, Minute = result.Minute, Second = result.Second, Millisecond = result.Millisecond };
        return this with { Year = result.Year, Month = result.Month, Day = result.Day, Hour = result.Hour, Minute = result.Minute, Second = result.Second, Millisecond = result.Millisecond };
    }

    private DateTime AddAtPrecision(DateTime value, decimal amount, FhirPathPrecision unit)
    {
        // A quantity finer than the value's precision is converted to the value's precision and truncated.
        var seconds = unit switch
        {
            FhirPathPrecision.Day => amount * 86400m,
            FhirPathPrecision.Hour => amount * 3600m,
            FhirPathPrecision.Minute => amount * 60m,
            FhirPathPrecision.Second => amount,
            _ => amount / 1000m,
        };
        var precisionSeconds = Precision switch
        {
            FhirPathPrecision.Year => 0m,
            FhirPathPrecision.Month => 0m,
            FhirPathPrecision.Day => 86400m,
            FhirPathPrecision.Hour => 3600m,
            FhirPathPrecision.Minute => 60m,
            FhirPathPrecision.Second => 1m,
            _ => 0.001m,
        };
        if (precisionSeconds == 0m)
        {
            // Year/month precision: whole years/months only (365 days per year is not calendar arithmetic).
            return Precision == FhirPathPrecision.Year ? value.AddYears((int)decimal.Truncate(seconds / 31536000m)) : value.AddMonths((int)decimal.Truncate(seconds / 2592000m));
        }
        var steps = decimal.Truncate(seconds / precisionSeconds) * precisionSeconds;
        return value.AddMilliseconds((double)(steps * 1000m));
    }

    public override string ToString()
    {
        var b = new StringBuilder();
        if (Kind != FhirPathTemporalKind.Time)
        {
            b.Append(Year.ToString("D4", CultureInfo.InvariantCulture));
            if (Precision >= FhirPathPrecision.Month) b.Append('-').Append(Month.ToString("D2", CultureInfo.InvariantCulture));
            if (Precision >= FhirPathPrecision.Day) b.Append('-').Append(Day.ToString("D2", CultureInfo.InvariantCulture));
            if (Kind == FhirPathTemporalKind.Date || Precision < FhirPathPrecision.Hour)
            {
                if (Kind == FhirPathTemporalKind.DateTime && Precision < FhirPathPrecision.Hour) b.Append('T');
                return b.ToString();
            }
        }
        b.Append('T').Append(Hour.ToString("D2", CultureInfo.InvariantCulture));
        if (Precision >= FhirPathPrecision.Minute) b.Append(':').Append(Minute.ToString("D2", CultureInfo.InvariantCulture));
        if (Precision >= FhirPathPrecision.Second) b.Append(':').Append(Second.ToString("D2", CultureInfo.InvariantCulture));
        if (Precision >= FhirPathPrecision.Millisecond) b.Append('.').Append(Millisecond.ToString("D3", CultureInfo.InvariantCulture));
        if (OffsetMinutes is { } offset)
        {
            if (offset == 0) b.Append('Z');
            else
            {
                b.Append(offset < 0 ? '-' : '+');
                var abs = Math.Abs(offset);
                b.Append((abs / 60).ToString("D2", CultureInfo.InvariantCulture)).Append(':').Append((abs % 60).ToString("D2", CultureInfo.InvariantCulture));
            }
        }
        var text = b.ToString();
        return Kind == FhirPathTemporalKind.Time ? text[1..] : text;
    }
}
