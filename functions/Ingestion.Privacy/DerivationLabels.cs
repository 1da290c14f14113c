namespace Ingestion.Privacy;

/// <summary>
/// Domain separation: every keyed derivation hashes label + qualifier (ASCII) + NUL + the UTF-8 logical id, so one
/// id yields unrelated values for each purpose and key domain, and no two (purpose, id) pairs share a message.
/// The qualifier of an id is its OMOP table name (<see cref="OmopKeyDomainNames"/>), not a C# enum name, so
/// renaming a member never changes published ids. Changing a label (or "v1") re-keys that purpose.
/// </summary>
internal static class DerivationLabels
{
    /// <summary>The key fingerprint's whole message (it has no NUL, so it equals no derivation message).</summary>
    public static ReadOnlySpan<byte> Fingerprint => "ingestion-deid/v1/key-fingerprint"u8;

    /// <summary>The patient's date offset and partial-date anchor (one derivation yields both).</summary>
    public static ReadOnlySpan<byte> PatientDates => "ingestion-deid/v1/patient-dates"u8;

    /// <summary>Pseudonymous ids; the qualifier is the domain's table name.</summary>
    public static ReadOnlySpan<byte> Id => "ingestion-deid/v1/id/"u8;
}
