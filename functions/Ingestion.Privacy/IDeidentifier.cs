namespace Ingestion.Privacy;

/// <summary>
/// Keyed, deterministic de-identification: the same key gives the same pseudonyms and date offsets on every
/// worker, file and run, with no coordination. The OMOP mapper calls it for every key and every date.
/// Implementations never log or expose the key or their inputs.
/// </summary>
public interface IDeidentifier
{
    /// <summary>A non-reversible fingerprint of the key (recorded in run manifests instead of the key).</summary>
    string KeyFingerprint { get; }

    /// <summary>A positive 63-bit pseudonymous key for a logical id within one OMOP key domain.</summary>
    long PseudonymousId(OmopKeyDomain domain, string logicalId);

    /// <summary>The same key as <see cref="PseudonymousId(OmopKeyDomain, string)"/> for a logical id given as characters
    /// (a row id composed on the stack: no string is made where the implementation needs none).</summary>
    long PseudonymousId(OmopKeyDomain domain, ReadOnlySpan<char> logicalId) => PseudonymousId(domain, logicalId.ToString());

    /// <summary>The same key as <see cref="PseudonymousId(OmopKeyDomain, string)"/> for a logical id given as UTF-8 (a
    /// row id composed from a document's bytes: neither decoded nor re-encoded where the implementation hashes UTF-8).
    /// Text that is not valid UTF-8 counts as its decoding (invalid sequences as U+FFFD).</summary>
    long PseudonymousId(OmopKeyDomain domain, ReadOnlySpan<byte> utf8LogicalId) => PseudonymousId(domain, System.Text.Encoding.UTF8.GetString(utf8LogicalId));

    /// <summary>The patient's secret date offset in days: in [-MaxShiftDays, -1] (always back in time, so shifted
    /// dates never pass the export's transactionTime).</summary>
    int DateOffsetDays(string patientLogicalId);

    /// <summary>Shifts a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD) by the patient's offset; partial dates follow
    /// the documented rule. Null when the value is not a valid FHIR date.</summary>
    DateOnly? ShiftDate(string patientLogicalId, string fhirDate);

    /// <summary>Shifts a FHIR dateTime/instant to a UTC DateTime (time of day kept unless configured to drop it).
    /// Null when the value is not a valid FHIR dateTime.</summary>
    DateTime? ShiftDateTime(string patientLogicalId, string fhirDateTime);

    /// <summary><see cref="ShiftDate(string, string)"/> of text that is not a string (the mapper's, read from the
    /// JSON's bytes): the same result.</summary>
    DateOnly? ShiftDate(string patientLogicalId, ReadOnlySpan<char> fhirDate) => ShiftDate(patientLogicalId, fhirDate.ToString());

    /// <summary><see cref="ShiftDateTime(string, string)"/> of text that is not a string: the same result.</summary>
    DateTime? ShiftDateTime(string patientLogicalId, ReadOnlySpan<char> fhirDateTime) => ShiftDateTime(patientLogicalId, fhirDateTime.ToString());

    /// <summary>The patient's date shift, for shifting many of that patient's dates (<see cref="ShiftDate(in PatientDateShift, ReadOnlySpan{char})"/>)
    /// with one lookup of the patient's offset.</summary>
    PatientDateShift DateShiftOf(string patientLogicalId) => new(patientLogicalId);

    /// <summary><see cref="ShiftDate(string, ReadOnlySpan{char})"/> for the patient of <paramref name="patient"/>: the same result.</summary>
    DateOnly? ShiftDate(in PatientDateShift patient, ReadOnlySpan<char> fhirDate) => ShiftDate(patient.PatientLogicalId, fhirDate);

    /// <summary><see cref="ShiftDateTime(string, ReadOnlySpan{char})"/> for the patient of <paramref name="patient"/>: the same result.</summary>
    DateTime? ShiftDateTime(in PatientDateShift patient, ReadOnlySpan<char> fhirDateTime) => ShiftDateTime(patient.PatientLogicalId, fhirDateTime);

    /// <summary>Birth fields for OMOP person after shifting and the over-89 rule.</summary>
    ShiftedBirth ShiftBirth(string patientLogicalId, string fhirBirthDate);

    /// <summary>ZIP3 per Safe Harbor ("000" for restricted ZIP3s); null when the input is not a US ZIP.</summary>
    string? GeneralizeZip(string? postalCode);
}

/// <summary>Birth fields as they may appear in output; month/day/datetime null when suppressed.</summary>
public sealed record ShiftedBirth(int? YearOfBirth, int? MonthOfBirth, int? DayOfBirth, DateTime? BirthDateTime);

/// <summary>The OMOP key spaces: the same logical id yields different keys in different domains.</summary>
public enum OmopKeyDomain
{
    Person,
    ObservationPeriod,
    VisitOccurrence,
    ConditionOccurrence,
    DrugExposure,
    ProcedureOccurrence,
    DeviceExposure,
    Measurement,
    Observation,
    Provider,
    CareSite,
    Location,
    // Appended (never reordered): the domain's table name, not its number, goes into the key derivation.
    VisitDetail,
    Note,
    Specimen,
    PayerPlanPeriod,
    Cost,
    ConditionEra,
    DrugEra,
}
