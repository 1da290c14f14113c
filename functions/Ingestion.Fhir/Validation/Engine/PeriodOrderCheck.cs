using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// per-1 (a Period's start is not after its end) on every Period, decided without FHIRPath when the answer is plain:
/// true when <c>start</c> or <c>end</c> has no primitive value (absent, null, only a <c>_start</c> object, or not a
/// JSON primitive: <c>hasValue()</c> is false), and the comparison itself when both are dates (<c>YYYY-MM-DD</c>) or
/// both are date-times to the second with the same zone (<c>YYYY-MM-DDThh:mm:ss</c> + the same <c>Z</c>/<c>±hh:mm</c>),
/// valid in the calendar: same precision and offset, so FHIRPath's <c>start &lt;= end</c> is the order of the text;
/// with different zones, the order of the two instants at UTC (as FHIRPath normalizes them). Anything else (fractions
/// of seconds, precisions that differ, a zone on one only, arrays, escapes, numbers) answers null: the expression decides.
/// </summary>
internal static class PeriodOrderCheck
{
    /// <summary>The R4 expression (on the Period type), the only text checked natively.</summary>
    public const string Expression = "start.hasValue().not() or end.hasValue().not() or (start <= end)";

    public static bool? Holds(FhirPathCursor period)
    {
        if (period.Value.ValueKind != JsonValueKind.Object) return null;
        ResourceElement start = default, end = default;
        foreach (var property in period.Value.EnumerateObject())
        {
            var raw = property.Utf8Name;
            if (raw.SequenceEqual("start"u8)) start = property.Value;
            else if (raw.SequenceEqual("end"u8)) end = property.Value;
            else if (!JsonProperties.IsPlain(raw)) return null; // an escaped name might spell start or end
        }
        if (start.ValueKind == JsonValueKind.Array || end.ValueKind == JsonValueKind.Array) return null;
        if (!IsPrimitive(start) || !IsPrimitive(end)) return true;
        if (start.ValueKind != JsonValueKind.String || end.ValueKind != JsonValueKind.String) return null;
        var a = PrimitiveFormats.Unquote(start.RawUtf8);
        var b = PrimitiveFormats.Unquote(end.RawUtf8);
        if (a.Length == b.Length && SameShape(a, b)) return (a.Length == 10 ? a.SequenceCompareTo(b) : a[..19].SequenceCompareTo(b[..19])) <= 0;
        // Zoned date-times to the second in different zones (Synthea's periods across a daylight-saving change): FHIRPath
        // compares them at UTC, as instants.
        return UtcTicks(a) is { } x && UtcTicks(b) is { } y ? x <= y : null;
    }

    /// <summary>
    /// A valid date-time to the second with a zone (<c>Z</c>, or <c>±hh:mm</c> clear of the calendar's ends), as UTC
    /// ticks: what FHIRPath's comparison normalizes it to; null for any other text.
    /// </summary>
    private static long? UtcTicks(ReadOnlySpan<byte> s)
    {
        if (s.Length == 20) return s[19] == (byte)'Z' && IsDateTime(s) ? LocalTicks(s) : null;
        if (s.Length != 25 || s[19] is not ((byte)'+' or (byte)'-') || !IsOffset(s[19..]) || !IsDateTime(s)
            || s[..4].SequenceCompareTo("0002"u8) < 0 || s[..4].SequenceCompareTo("9998"u8) > 0) return null;
        Digits(s.Slice(20, 2), out var hours);
        Digits(s.Slice(23, 2), out var minutes);
        var offset = (hours * 60 + minutes) * TimeSpan.TicksPerMinute;
        return LocalTicks(s) - (s[19] == (byte)'+' ? offset : -offset);
    }

    /// <summary>The date-time's fields (validated by <see cref="IsDateTime"/>) as ticks, its zone not applied.</summary>
    private static long LocalTicks(ReadOnlySpan<byte> s)
    {
        Digits(s[..4], out var year);
        Digits(s.Slice(5, 2), out var month);
        Digits(s.Slice(8, 2), out var day);
        Digits(s.Slice(11, 2), out var hour);
        Digits(s.Slice(14, 2), out var minute);
        Digits(s.Slice(17, 2), out var second);
        return new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks;
    }

    private static bool IsPrimitive(ResourceElement value) => value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;

    /// <summary>Both a valid date, or both a valid date-time to the second with the same zone text.</summary>
    private static bool SameShape(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        switch (a.Length)
        {
            case 10:
                return IsDate(a) && IsDate(b);
            case 20:
                return a[19] == (byte)'Z' && b[19] == (byte)'Z' && IsDateTime(a) && IsDateTime(b);
            case 25:
                // FHIRPath moves an offset date-time to UTC: keep clear of the calendar's ends.
                return a[19] is (byte)'+' or (byte)'-' && a[19..].SequenceEqual(b[19..]) && IsOffset(a[19..]) && IsDateTime(a) && IsDateTime(b)
                    && a[..4].SequenceCompareTo("0002"u8) >= 0 && a[..4].SequenceCompareTo("9998"u8) <= 0
                    && b[..4].SequenceCompareTo("0002"u8) >= 0 && b[..4].SequenceCompareTo("9998"u8) <= 0;
            default:
                return false;
        }
    }

    /// <summary>A valid calendar date <c>YYYY-MM-DD</c> (year 0001 on) in ten bytes.</summary>
    internal static bool IsDate(ReadOnlySpan<byte> s)
    {
        if (s[4] != (byte)'-' || s[7] != (byte)'-' || !Digits(s[..4], out var year) || !Digits(s.Slice(5, 2), out var month) || !Digits(s.Slice(8, 2), out var day)) return false;
        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    private static bool IsDateTime(ReadOnlySpan<byte> s) =>
        IsDate(s[..10]) && s[10] == (byte)'T' && s[13] == (byte)':' && s[16] == (byte)':'
        && Digits(s.Slice(11, 2), out var hour) && hour <= 23
        && Digits(s.Slice(14, 2), out var minute) && minute <= 59
        && Digits(s.Slice(17, 2), out var second) && second <= 59;

    private static bool IsOffset(ReadOnlySpan<byte> zone) =>
        zone[3] == (byte)':' && Digits(zone.Slice(1, 2), out var hours) && hours <= 14 && Digits(zone.Slice(4, 2), out var minutes) && minutes <= 59;

    private static bool Digits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (c is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }
}
