using System.Text;

namespace Ingestion.Privacy;

/// <summary>
/// De-identification settings, bound from the configuration section <c>Deid</c> (environment variables
/// <c>Deid__Key</c>, <c>Deid__MaxShiftDays</c>, ...). <see cref="ToString"/> never prints the key.
/// </summary>
public sealed record DeidentificationOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Deid";

    /// <summary>The secret: base64, at least 32 bytes. In Azure a Key Vault reference resolves to it.
    /// Null with <see cref="UseEphemeralKey"/> false makes the de-identifier refuse to start.</summary>
    public string? Key { get; init; }

    /// <summary>Demo only: without a <see cref="Key"/>, use a random key for this process (pseudonyms and offsets
    /// then differ on every run). Ignored when a key is set.</summary>
    public bool UseEphemeralKey { get; init; }

    /// <summary>N: every patient's offset is in [-N, -1] days (never forward: no shifted date in the future). 1 to 3650.</summary>
    public int MaxShiftDays { get; init; } = 365;

    /// <summary>Output datetimes at 00:00 UTC of their shifted date instead of keeping the time of day.</summary>
    public bool DropTimeOfDay { get; init; }

    /// <summary>HIPAA Safe Harbor dates: every date becomes 1 January of its true year (not shifted), birth keeps the
    /// year only. Intervals below a year are lost.</summary>
    public bool StrictSafeHarbor { get; init; }

    /// <summary>Patients aged 90 or more get the single aggregated birth year (reference year − 90) and no birth
    /// month, day or time.</summary>
    public bool AggregateAgesOver89 { get; init; } = true;

    /// <summary>The date ages are computed at (for the over-89 rule). Null: today (UTC) when the de-identifier is
    /// created.</summary>
    public DateOnly? ReferenceDate { get; init; }

    /// <summary>Where the optional re-identification crosswalk is written (a protected location separate from the
    /// lake). Null, the default: no crosswalk.</summary>
    public string? CrosswalkLocation { get; init; }

    // Records print every property; the key must never reach a log line.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Key = ").Append(Key is null ? "(none)" : "(set)");
        builder.Append(", UseEphemeralKey = ").Append(UseEphemeralKey);
        builder.Append(", MaxShiftDays = ").Append(MaxShiftDays);
        builder.Append(", DropTimeOfDay = ").Append(DropTimeOfDay);
        builder.Append(", StrictSafeHarbor = ").Append(StrictSafeHarbor);
        builder.Append(", AggregateAgesOver89 = ").Append(AggregateAgesOver89);
        builder.Append(", ReferenceDate = ").Append(ReferenceDate?.ToString("yyyy-MM-dd") ?? "(today)");
        builder.Append(", CrosswalkLocation = ").Append(CrosswalkLocation is null ? "(off)" : "(set)");
        return true;
    }
}
