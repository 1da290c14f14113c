using Ingestion.Privacy;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Wraps the run's de-identifier for one file activity and notes every (domain, logical id, pseudonymous id) it
/// hands out, so the activity can append them to the re-identification crosswalk. Repeating keys (a person,
/// a visit, a provider) are noted once per file; event keys are unique per resource and are not remembered, so
/// memory stays bounded by one file's distinct shared keys, not by its size. The activity drains the notes after
/// each line.
/// </summary>
internal sealed class CrosswalkRecorder(IDeidentifier inner) : IDeidentifier
{
    private readonly HashSet<(OmopKeyDomain, string)> _seen = [];
    private readonly List<CrosswalkEntry> _pending = [];

    public string KeyFingerprint => inner.KeyFingerprint;

    public long PseudonymousId(OmopKeyDomain domain, string logicalId)
    {
        var id = inner.PseudonymousId(domain, logicalId);
        lock (_pending)
        {
            if (!IsShared(domain) || _seen.Add((domain, logicalId))) _pending.Add(new CrosswalkEntry(domain, logicalId, id));
        }
        return id;
    }

    /// <summary>Keys many resources point at; every other domain keys one resource (or one row of it).</summary>
    private static bool IsShared(OmopKeyDomain domain) => domain is OmopKeyDomain.Person or OmopKeyDomain.VisitOccurrence
        or OmopKeyDomain.Provider or OmopKeyDomain.CareSite or OmopKeyDomain.Location;

    public int DateOffsetDays(string patientLogicalId) => inner.DateOffsetDays(patientLogicalId);
    public DateOnly? ShiftDate(string patientLogicalId, string fhirDate) => inner.ShiftDate(patientLogicalId, fhirDate);
    public DateTime? ShiftDateTime(string patientLogicalId, string fhirDateTime) => inner.ShiftDateTime(patientLogicalId, fhirDateTime);
    public DateOnly? ShiftDate(string patientLogicalId, ReadOnlySpan<char> fhirDate) => inner.ShiftDate(patientLogicalId, fhirDate);
    public DateTime? ShiftDateTime(string patientLogicalId, ReadOnlySpan<char> fhirDateTime) => inner.ShiftDateTime(patientLogicalId, fhirDateTime);
    public ShiftedBirth ShiftBirth(string patientLogicalId, string fhirBirthDate) => inner.ShiftBirth(patientLogicalId, fhirBirthDate);
    public string? GeneralizeZip(string? postalCode) => inner.GeneralizeZip(postalCode);

    /// <summary>Appends what was noted since the last call to the crosswalk.</summary>
    public async Task DrainToAsync(ReidentificationCrosswalk crosswalk, CancellationToken cancellationToken)
    {
        CrosswalkEntry[] entries;
        lock (_pending)
        {
            if (_pending.Count == 0) return;
            entries = [.. _pending];
            _pending.Clear();
        }
        foreach (var e in entries) await crosswalk.RecordAsync(e.Domain, e.LogicalId, e.PseudonymousId, cancellationToken).ConfigureAwait(false);
    }
}
