using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Ingestion.Privacy;

/// <summary>
/// <see cref="IDeidentifier"/> on HMAC-SHA256 of one secret key: every value is a pure function of (key, purpose,
/// logical id), so every worker, file and run agrees without coordination. Thread-safe; allocation-free per call
/// except the returned ZIP3 string. See docs/privacy.md for the rules.
/// </summary>
// The message and MAC buffers on the stack are written before they are read: no zeroing per derivation.
[SkipLocalsInit]
public sealed class KeyedDeidentifier : IDeidentifier
{
    private const int StackMessageBytes = 256;

    private readonly HmacSha256 _hmac;
    private readonly int _maxShiftDays;
    private readonly bool _dropTimeOfDay;
    private readonly bool _strictSafeHarbor;
    private readonly bool _aggregateAgesOver89;
    // Each derivation message's fixed start, label ‖ qualifier ‖ NUL, in UTF-8 once: per id domain (by enum value)
    // and for patient dates. Read-only after construction.
    private readonly byte[][] _idPrefixes;
    private readonly byte[] _patientDatesPrefix;

    /// <exception cref="MissingDeidentificationKeyException">no key and no ephemeral key allowed.</exception>
    /// <exception cref="InvalidDeidentificationKeyException">the key is not base64 or shorter than 32 bytes.</exception>
    public KeyedDeidentifier(DeidentificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxShiftDays is < 1 or > 3650)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxShiftDays, "Deid:MaxShiftDays must be between 1 and 3650.");

        byte[] key;
        if (string.IsNullOrWhiteSpace(options.Key) && options.UseEphemeralKey)
        {
            key = RandomNumberGenerator.GetBytes(DeidentificationKey.MinimumBytes);
            IsKeyEphemeral = true;
        }
        else
        {
            key = DeidentificationKey.Parse(options.Key);
        }

        _hmac = new HmacSha256(key);
        KeyFingerprint = (IsKeyEphemeral ? "ephemeral-" : "") + DeidentificationKey.Fingerprint(key);
        CryptographicOperations.ZeroMemory(key);

        _maxShiftDays = options.MaxShiftDays;
        _dropTimeOfDay = options.DropTimeOfDay;
        _strictSafeHarbor = options.StrictSafeHarbor;
        _aggregateAgesOver89 = options.AggregateAgesOver89;
        ReferenceDate = options.ReferenceDate ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var domains = Enum.GetValues<OmopKeyDomain>();
        _idPrefixes = new byte[domains.Max(d => (int)d) + 1][];
        foreach (var domain in domains) _idPrefixes[(int)domain] = MessagePrefix(DerivationLabels.Id, OmopKeyDomainNames.TableName(domain));
        _patientDatesPrefix = MessagePrefix(DerivationLabels.PatientDates, "");
    }

    /// <inheritdoc />
    public string KeyFingerprint { get; }

    /// <summary>True when running on a random per-process key (demo): output cannot be linked to other runs.</summary>
    public bool IsKeyEphemeral { get; }

    /// <summary>The date ages are computed at for the over-89 rule.</summary>
    public DateOnly ReferenceDate { get; }

    /// <inheritdoc />
    public long PseudonymousId(OmopKeyDomain domain, string logicalId)
    {
        RequireId(logicalId, nameof(logicalId));
        return PseudonymousId(domain, logicalId.AsSpan());
    }

    /// <inheritdoc />
    public long PseudonymousId(OmopKeyDomain domain, ReadOnlySpan<char> logicalId)
    {
        if (logicalId.IsEmpty) throw new ArgumentException("A logical id is required (it is null or empty).", nameof(logicalId));
        Span<byte> mac = stackalloc byte[HmacSha256.HashSize];
        Derive(IdPrefix(domain), logicalId, mac);
        return IdOf(mac);
    }

    /// <inheritdoc />
    public long PseudonymousId(OmopKeyDomain domain, ReadOnlySpan<byte> utf8LogicalId)
    {
        // Text that is not valid UTF-8 is hashed as its decoding, as the other overloads would.
        if (!Utf8.IsValid(utf8LogicalId)) return PseudonymousId(domain, Encoding.UTF8.GetString(utf8LogicalId));
        if (utf8LogicalId.IsEmpty) throw new ArgumentException("A logical id is required (it is null or empty).", nameof(utf8LogicalId));
        Span<byte> mac = stackalloc byte[HmacSha256.HashSize];
        Derive(IdPrefix(domain), utf8LogicalId, mac);
        return IdOf(mac);
    }

    /// <summary>The first non-zero 63-bit word of the MAC: uniform over [1, 2^63 - 1].</summary>
    private static long IdOf(ReadOnlySpan<byte> mac)
    {
        // Four zero words (p = 2^-252) cannot happen in practice; 1 keeps the function total.
        for (var i = 0; i < HmacSha256.HashSize; i += 8)
        {
            var word = (long)(BinaryPrimitives.ReadUInt64BigEndian(mac[i..]) & long.MaxValue);
            if (word != 0) return word;
        }
        return 1;
    }

    /// <inheritdoc />
    public int DateOffsetDays(string patientLogicalId) => PatientDates(patientLogicalId).OffsetDays;

    /// <inheritdoc />
    public DateOnly? ShiftDate(string patientLogicalId, string fhirDate)
    {
        // Null reads as empty text: not a date.
        return ShiftDate(patientLogicalId, fhirDate.AsSpan());
    }

    /// <inheritdoc />
    public DateOnly? ShiftDate(string patientLogicalId, ReadOnlySpan<char> fhirDate)
    {
        var shifted = Shift(patientLogicalId, fhirDate, out _);
        return shifted is { } value ? DateOnly.FromDateTime(value) : null;
    }

    /// <inheritdoc />
    public DateTime? ShiftDateTime(string patientLogicalId, string fhirDateTime)
    {
        return ShiftDateTime(patientLogicalId, fhirDateTime.AsSpan());
    }

    /// <inheritdoc />
    public DateTime? ShiftDateTime(string patientLogicalId, ReadOnlySpan<char> fhirDateTime)
    {
        var shifted = Shift(patientLogicalId, fhirDateTime, out _);
        return shifted is { } value && _dropTimeOfDay ? value.Date : shifted;
    }

    /// <inheritdoc />
    public ShiftedBirth ShiftBirth(string patientLogicalId, string fhirBirthDate)
    {
        var shifted = Shift(patientLogicalId, fhirBirthDate, out var birth);
        if (shifted is not { } value) return new ShiftedBirth(null, null, null, null);

        // Conservative ages: from the earliest day the input or the output allows (a year-only 1936 counts as
        // 1 January 1936), so a partial date never hides an age of 90.
        var trueAge = AgeAt(DateOnly.FromDateTime(birth.Utc));
        if (_strictSafeHarbor)
        {
            return _aggregateAgesOver89 && trueAge >= 90
                ? Aggregated
                : new ShiftedBirth(value.Year, null, null, null);
        }

        var output = birth.Precision switch
        {
            TemporalPrecision.Year => new ShiftedBirth(value.Year, null, null, null),
            TemporalPrecision.Month => new ShiftedBirth(value.Year, value.Month, null, null),
            _ => new ShiftedBirth(value.Year, value.Month, value.Day, _dropTimeOfDay ? value.Date : value),
        };
        var impliedAge = AgeAt(new DateOnly(output.YearOfBirth!.Value, output.MonthOfBirth ?? 1, output.DayOfBirth ?? 1));
        return _aggregateAgesOver89 && (trueAge >= 90 || impliedAge >= 90) ? Aggregated : output;
    }

    /// <inheritdoc />
    public string? GeneralizeZip(string? postalCode)
    {
        if (postalCode is null) return null;
        var zip = postalCode.AsSpan().Trim();
        var isUsZip = zip.Length switch
        {
            5 => AllDigits(zip),
            9 => AllDigits(zip),
            10 => AllDigits(zip[..5]) && zip[5] is '-' or ' ' && AllDigits(zip[6..]),
            _ => false,
        };
        if (!isUsZip) return null;
        return RestrictedZip3.Contains(zip[..3]) ? "000" : new string(zip[..3]);
    }

    /// <summary>Safe Harbor's single "90 or older" category: one birth year for all, nothing finer.</summary>
    private ShiftedBirth Aggregated => new(ReferenceDate.Year - 90, null, null, null);

    /// <inheritdoc />
    public PatientDateShift DateShiftOf(string patientLogicalId)
    {
        RequireId(patientLogicalId, nameof(patientLogicalId));
        // Strict Safe Harbor keeps only the true year: no offset to derive.
        if (_strictSafeHarbor) return new PatientDateShift(patientLogicalId, this, 0, 0);
        var (offsetDays, anchorSeed) = PatientDates(patientLogicalId);
        return new PatientDateShift(patientLogicalId, this, offsetDays, anchorSeed);
    }

    /// <inheritdoc />
    public DateOnly? ShiftDate(in PatientDateShift patient, ReadOnlySpan<char> fhirDate)
    {
        var shifted = Shift(patient, fhirDate);
        return shifted is { } value ? DateOnly.FromDateTime(value) : null;
    }

    /// <inheritdoc />
    public DateTime? ShiftDateTime(in PatientDateShift patient, ReadOnlySpan<char> fhirDateTime)
    {
        var shifted = Shift(patient, fhirDateTime);
        return shifted is { } value && _dropTimeOfDay ? value.Date : shifted;
    }

    /// <summary>
    /// Parses and shifts one value. Strict Safe Harbor: 1 January of the true (UTC) year. Otherwise the value, or
    /// for a partial date its period's anchor day, moves by the patient's offset. Null when invalid or out of range.
    /// </summary>
    private DateTime? Shift(string patientLogicalId, ReadOnlySpan<char> text, out FhirTemporal parsed)
    {
        RequireId(patientLogicalId, nameof(patientLogicalId));
        if (!FhirTemporal.TryParse(text, out parsed)) return null;
        if (_strictSafeHarbor) return new DateTime(parsed.Utc.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var (offsetDays, anchorSeed) = PatientDates(patientLogicalId);
        return Shift(parsed, offsetDays, anchorSeed);
    }

    /// <summary><see cref="Shift(string, ReadOnlySpan{char}, out FhirTemporal)"/> with the patient's values derived
    /// beforehand (by this instance; any other shift goes by its patient's id).</summary>
    private DateTime? Shift(in PatientDateShift patient, ReadOnlySpan<char> text)
    {
        if (!ReferenceEquals(patient.Owner, this)) return Shift(patient.PatientLogicalId, text, out _);
        if (!FhirTemporal.TryParse(text, out var parsed)) return null;
        if (_strictSafeHarbor) return new DateTime(parsed.Utc.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        return Shift(parsed, patient.OffsetDays, patient.AnchorSeed);
    }

    private static DateTime? Shift(in FhirTemporal parsed, int offsetDays, ulong anchorSeed)
    {
        var ticks = parsed.Utc.Ticks;
        // Partial dates: a keyed day inside the period, the same for every date of this patient with that period.
        // Anchoring on the first day would let anyone who knows a value was partial read the offset off the output.
        if (parsed.Precision is TemporalPrecision.Year or TemporalPrecision.Month)
            ticks += (long)(anchorSeed % (ulong)parsed.PeriodDays) * TimeSpan.TicksPerDay;
        ticks += offsetDays * TimeSpan.TicksPerDay;
        return ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks ? new DateTime(ticks, DateTimeKind.Utc) : null;
    }

    private (int OffsetDays, ulong AnchorSeed) PatientDates(string patientLogicalId)
    {
        RequireId(patientLogicalId, nameof(patientLogicalId));
        Span<byte> mac = stackalloc byte[HmacSha256.HashSize];
        Derive(_patientDatesPrefix, patientLogicalId, mac);
        var offsetWord = BinaryPrimitives.ReadUInt64BigEndian(mac);
        var anchorSeed = BinaryPrimitives.ReadUInt64BigEndian(mac[8..]);

        // Uniform over [-N, -1] (the modulo bias is below N / 2^64). Never forward: a timeline that ends at or before
        // the export's transactionTime stays before it after the shift, so no de-identified date lies in the future.
        var offset = -1 - (int)(offsetWord % (ulong)_maxShiftDays);
        return (offset, anchorSeed);
    }

    /// <summary>label ‖ ASCII qualifier ‖ NUL: the start of every message of one purpose (and key domain).</summary>
    private static byte[] MessagePrefix(ReadOnlySpan<byte> label, string qualifier)
    {
        var prefix = new byte[label.Length + qualifier.Length + 1];
        label.CopyTo(prefix);
        Encoding.ASCII.GetBytes(qualifier, prefix.AsSpan(label.Length));
        return prefix;
    }

    private ReadOnlySpan<byte> IdPrefix(OmopKeyDomain domain) =>
        (uint)domain < (uint)_idPrefixes.Length && _idPrefixes[(int)domain] is { } prefix
            ? prefix
            : throw new ArgumentOutOfRangeException(nameof(domain), (int)domain, "Unknown OMOP key domain.");

    /// <summary>HMAC(key, prefix ‖ UTF-8 input), the input encoded on the stack when it fits.</summary>
    private void Derive(ReadOnlySpan<byte> prefix, ReadOnlySpan<char> input, Span<byte> mac)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(input.Length);
        byte[]? rented = null;
        var utf8 = maxBytes <= StackMessageBytes ? stackalloc byte[StackMessageBytes] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            Derive(prefix, utf8[..Encoding.UTF8.GetBytes(input, utf8)], mac);
        }
        finally
        {
            Return(rented);
        }
    }

    /// <summary>HMAC(key, prefix ‖ input) of input already UTF-8, with the message on the stack when it fits.</summary>
    private void Derive(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> utf8Input, Span<byte> mac)
    {
        var length = prefix.Length + utf8Input.Length;
        byte[]? rented = null;
        var message = length <= StackMessageBytes ? stackalloc byte[StackMessageBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            prefix.CopyTo(message);
            utf8Input.CopyTo(message[prefix.Length..]);
            _hmac.Compute(message[..length], mac);
        }
        finally
        {
            Return(rented);
        }
    }

    /// <summary>A rented message buffer back to the pool, wiped (it held an id).</summary>
    private static void Return(byte[]? rented)
    {
        if (rented is null) return;
        CryptographicOperations.ZeroMemory(rented);
        ArrayPool<byte>.Shared.Return(rented);
    }

    private int AgeAt(DateOnly birth)
    {
        var age = ReferenceDate.Year - birth.Year;
        return ReferenceDate.Month < birth.Month || (ReferenceDate.Month == birth.Month && ReferenceDate.Day < birth.Day) ? age - 1 : age;
    }

    private static bool AllDigits(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9');

    private static void RequireId(string value, string parameterName)
    {
        // The message names the parameter only: the value may be patient data.
        if (string.IsNullOrEmpty(value)) throw new ArgumentException("A logical id is required (it is null or empty).", parameterName);
    }
}
