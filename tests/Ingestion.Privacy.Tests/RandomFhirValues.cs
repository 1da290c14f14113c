using System.Globalization;

namespace Ingestion.Privacy.Tests;

/// <summary>Generates FHIR dateTime/date strings (with zones) and the UTC instant each one denotes.</summary>
internal static class RandomFhirValues
{
    private static readonly DateTime Earliest = new(1930, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Latest = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static string PatientId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    /// <summary>A dateTime in a random zone (or Z), with or without a fraction, and the instant in UTC.</summary>
    public static (string Text, DateTime Utc) DateTime(Random random)
    {
        var ticks = Earliest.Ticks + (long)(random.NextDouble() * (Latest.Ticks - Earliest.Ticks));
        var utc = new DateTime(ticks - ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        var zoneMinutes = random.Next(-12 * 4, 14 * 4 + 1) * 15;
        var local = utc.AddMinutes(zoneMinutes);
        var fraction = random.Next(3) switch
        {
            0 => "",
            1 => local.ToString(".fff", CultureInfo.InvariantCulture),
            _ => local.ToString(".fff", CultureInfo.InvariantCulture) + "0000",
        };
        if (fraction.Length == 0) utc = utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond));
        var zone = zoneMinutes == 0 && random.Next(2) == 0
            ? "Z"
            : (zoneMinutes < 0 ? "-" : "+") + TimeSpan.FromMinutes(Math.Abs(zoneMinutes)).ToString(@"hh\:mm", CultureInfo.InvariantCulture);
        return (local.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + fraction + zone, utc);
    }

    /// <summary>A full FHIR date (YYYY-MM-DD) and the day.</summary>
    public static (string Text, DateOnly Day) Date(Random random)
    {
        var day = DateOnly.FromDateTime(Earliest).AddDays(random.Next((Latest - Earliest).Days));
        return (day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day);
    }
}
