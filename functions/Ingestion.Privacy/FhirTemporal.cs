namespace Ingestion.Privacy;

/// <summary>How much of a FHIR date/dateTime/instant was given.</summary>
internal enum TemporalPrecision
{
    Year,
    Month,
    Day,
    Time,
}

/// <summary>
/// A parsed FHIR <c>date</c>, <c>dateTime</c> or <c>instant</c>: its precision and its value as a UTC DateTime.
/// A value with a time of day is converted to UTC with its zone offset (so its calendar date is the UTC date);
/// a value without one is that calendar date at 00:00, period start for partial dates.
/// Parsing follows the R4 regular expressions: a time needs seconds and a zone; year 0000, month 13, Feb 30,
/// hour 24 and zones beyond ±14:00 are rejected. A leap second (:60) reads as :59.
/// </summary>
internal readonly record struct FhirTemporal(TemporalPrecision Precision, DateTime Utc)
{
    public static bool TryParse(ReadOnlySpan<char> text, out FhirTemporal value)
    {
        value = default;
        if (text.Length < 4 || !TryDigits(text, 0, 4, out var year) || year == 0) return false;
        if (text.Length == 4)
        {
            value = new(TemporalPrecision.Year, new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            return true;
        }

        if (text.Length < 7 || text[4] != '-' || !TryDigits(text, 5, 2, out var month) || month is < 1 or > 12) return false;
        if (text.Length == 7)
        {
            value = new(TemporalPrecision.Month, new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc));
            return true;
        }

        if (text.Length < 10 || text[7] != '-' || !TryDigits(text, 8, 2, out var day)
            || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        var date = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);
        if (text.Length == 10)
        {
            value = new(TemporalPrecision.Day, date);
            return true;
        }

        // "THH:MM:SS" then optional fraction then a mandatory zone.
        if (text.Length < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || !TryDigits(text, 11, 2, out var hour) || hour > 23
            || !TryDigits(text, 14, 2, out var minute) || minute > 59
            || !TryDigits(text, 17, 2, out var second) || second > 60) return false;
        if (second == 60) second = 59;

        var position = 19;
        long fractionTicks = 0;
        if (text[position] == '.')
        {
            position++;
            var start = position;
            long scale = TimeSpan.TicksPerSecond;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                // Digits beyond 100 ns (the 7th) are dropped: DateTime cannot hold them.
                if (scale > 1)
                {
                    scale /= 10;
                    fractionTicks += (text[position] - '0') * scale;
                }

                position++;
            }

            if (position == start) return false;
        }

        if (!TryZone(text[position..], out var zoneTicks)) return false;

        var ticks = date.Ticks + hour * TimeSpan.TicksPerHour + minute * TimeSpan.TicksPerMinute
                    + second * TimeSpan.TicksPerSecond + fractionTicks - zoneTicks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) return false;
        value = new(TemporalPrecision.Time, new DateTime(ticks, DateTimeKind.Utc));
        return true;
    }

    /// <summary>The period the value denotes, in days: 1 for a day or time, the month's or year's length otherwise.</summary>
    public int PeriodDays => Precision switch
    {
        TemporalPrecision.Year => DateTime.IsLeapYear(Utc.Year) ? 366 : 365,
        TemporalPrecision.Month => DateTime.DaysInMonth(Utc.Year, Utc.Month),
        _ => 1,
    };

    private static bool TryZone(ReadOnlySpan<char> zone, out long offsetTicks)
    {
        offsetTicks = 0;
        if (zone is "Z") return true;
        if (zone.Length != 6 || zone[0] is not ('+' or '-') || zone[3] != ':'
            || !TryDigits(zone, 1, 2, out var hours) || !TryDigits(zone, 4, 2, out var minutes)
            || minutes > 59 || hours > 14 || (hours == 14 && minutes != 0)) return false;
        offsetTicks = hours * TimeSpan.TicksPerHour + minutes * TimeSpan.TicksPerMinute;
        if (zone[0] == '-') offsetTicks = -offsetTicks;
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var c = text[i];
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }

        return true;
    }
}
