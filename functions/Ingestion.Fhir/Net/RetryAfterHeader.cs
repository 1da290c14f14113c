using System.Globalization;
using System.Net.Http.Headers;

namespace Ingestion.Fhir.Net;

/// <summary>
/// Reads Retry-After as servers really send it: delta-seconds or an HTTP-date (RFC 9110), and the absolute epoch
/// time in seconds or milliseconds that SMART's reference server sends on 429. .NET's typed header reads the epoch
/// forms as a delta of decades (seconds) or not at all (milliseconds overflow), so the raw value is parsed here.
/// </summary>
public static class RetryAfterHeader
{
    // A delta this large is not a delay but a point in time: 10^9 s is 2001-09-09 as epoch seconds, 31 years as a delay.
    private const long EpochSecondsThreshold = 1_000_000_000;
    private const long EpochMillisecondsThreshold = 100_000_000_000;

    /// <summary>The wait the server asks for (zero when the time is past), or null when it asks nothing parseable.</summary>
    public static TimeSpan? Read(HttpResponseHeaders headers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (!headers.NonValidated.TryGetValues("Retry-After", out var values)) return null;
        foreach (var value in values) return Parse(value, now);
        return null;
    }

    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            if (number >= EpochMillisecondsThreshold) return Until(DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(number, 253_402_300_799_000)), now);
            if (number >= EpochSecondsThreshold) return Until(DateTimeOffset.FromUnixTimeSeconds(Math.Min(number, 253_402_300_799)), now);
            return TimeSpan.FromSeconds(number);
        }
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var fractional) && fractional < EpochSecondsThreshold)
            return TimeSpan.FromSeconds((double)fractional);
        return DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var date)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date)
            ? Until(date, now)
            : null;
    }

    private static TimeSpan Until(DateTimeOffset at, DateTimeOffset now) => at > now ? at - now : TimeSpan.Zero;
}
