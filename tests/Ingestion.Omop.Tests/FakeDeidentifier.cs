using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ingestion.Privacy;

namespace Ingestion.Omop.Tests;

/// <summary>
/// A small deterministic stand-in for the keyed de-identifier: SHA-256 pseudonyms, a per-patient offset of
/// -1..-30 days, ZIP3. Enough to check that the mapper takes every key and date through the interface.
/// </summary>
internal sealed class FakeDeidentifier : IDeidentifier
{
    public string KeyFingerprint => "fake";

    public long PseudonymousId(OmopKeyDomain domain, string logicalId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(domain + "|" + logicalId));
        return (long)(BitConverter.ToUInt64(hash, 0) & long.MaxValue) | 1;
    }

    public int DateOffsetDays(string patientLogicalId) =>
        -1 - (int)(SHA256.HashData(Encoding.UTF8.GetBytes(patientLogicalId))[0] % 30);

    public DateOnly? ShiftDate(string patientLogicalId, string fhirDate)
    {
        var formats = new[] { "yyyy-MM-dd", "yyyy-MM", "yyyy" };
        return DateOnly.TryParseExact(fhirDate, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d.AddDays(DateOffsetDays(patientLogicalId))
            : null;
    }

    public DateTime? ShiftDateTime(string patientLogicalId, string fhirDateTime) =>
        DateTimeOffset.TryParse(fhirDateTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t.UtcDateTime.AddDays(DateOffsetDays(patientLogicalId)), DateTimeKind.Utc)
            : null;

    public ShiftedBirth ShiftBirth(string patientLogicalId, string fhirBirthDate)
    {
        var d = ShiftDate(patientLogicalId, fhirBirthDate);
        return d is null
            ? new ShiftedBirth(null, null, null, null)
            : new ShiftedBirth(d.Value.Year, d.Value.Month, d.Value.Day, d.Value.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
    }

    public string? GeneralizeZip(string? postalCode) =>
        postalCode is { Length: >= 5 } && postalCode[..5].All(char.IsAsciiDigit) ? postalCode[..3] : null;
}
