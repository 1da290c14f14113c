using System.Security.Cryptography;

namespace Ingestion.Privacy.Tests;

/// <summary>Keys and de-identifiers for tests: fixed keys from seeds so failures reproduce.</summary>
internal static class TestKeys
{
    public static string FromSeed(int seed)
    {
        var bytes = new byte[32];
        new Random(seed).NextBytes(bytes);
        return Convert.ToBase64String(bytes);
    }

    public static readonly string Primary = FromSeed(1);
    public static readonly string Other = FromSeed(2);

    public static readonly DateOnly Reference = new(2026, 6, 15);

    public static KeyedDeidentifier Deidentifier(string? key = null, int maxShiftDays = 365, bool strict = false,
        bool dropTime = false, bool aggregate = true) =>
        new(new DeidentificationOptions
        {
            Key = key ?? Primary,
            MaxShiftDays = maxShiftDays,
            StrictSafeHarbor = strict,
            DropTimeOfDay = dropTime,
            AggregateAgesOver89 = aggregate,
            ReferenceDate = Reference,
        });

    public static string RandomKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
