namespace Ingestion.Privacy;

/// <summary>
/// One patient's date shift, derived once for the many dates of that patient (<see cref="IDeidentifier.DateShiftOf"/>):
/// a caller that shifts several dates in a row (a file's resources are grouped by patient) looks the patient's offset
/// up once instead of once per date. Opaque: only the de-identifier that made it reads its values; given to another,
/// it shifts by the patient's id as <see cref="IDeidentifier.ShiftDate(string, ReadOnlySpan{char})"/> does.
/// </summary>
public readonly struct PatientDateShift
{
    /// <summary>A shift that is resolved by the patient's id at each date (what an implementation without its own
    /// derivation hands out).</summary>
    public PatientDateShift(string patientLogicalId) => PatientLogicalId = patientLogicalId;

    internal PatientDateShift(string patientLogicalId, object owner, int offsetDays, ulong anchorSeed)
    {
        PatientLogicalId = patientLogicalId;
        Owner = owner;
        OffsetDays = offsetDays;
        AnchorSeed = anchorSeed;
    }

    /// <summary>The patient the shift is of.</summary>
    public string PatientLogicalId { get; }

    /// <summary>The de-identifier that derived <see cref="OffsetDays"/> and <see cref="AnchorSeed"/>, else null.</summary>
    internal object? Owner { get; }

    internal int OffsetDays { get; }

    internal ulong AnchorSeed { get; }
}
