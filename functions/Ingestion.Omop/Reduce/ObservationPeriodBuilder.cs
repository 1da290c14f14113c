using System.Globalization;
using Ingestion.Privacy;

namespace Ingestion.Omop;

/// <summary>
/// The fan-in reduce for observation_period: merges every file's person_date_bounds rows into one period per person,
/// from the earliest to the latest event date seen anywhere (the OHDSI convention for EHR data without enrolment).
/// </summary>
public static class ObservationPeriodBuilder
{
    /// <summary>observation_period rows ordered by person_id. observation_period_id is the pseudonym of the person
    /// key in its own domain, so a re-run yields the same ids.</summary>
    public static IEnumerable<object?[]> Build(IEnumerable<object?[]> personDateBoundsRows, IDeidentifier deidentifier, int periodTypeConceptId = FixedConcepts.Ehr)
    {
        ArgumentNullException.ThrowIfNull(personDateBoundsRows);
        ArgumentNullException.ThrowIfNull(deidentifier);
        var merged = new Dictionary<long, (DateOnly Min, DateOnly Max)>();
        foreach (var row in personDateBoundsRows)
        {
            if (row is not [long person, DateOnly min, DateOnly max])
                throw new ArgumentException("Rows must follow CdmTables.PersonDateBounds: person_id (long), min_date, max_date (DateOnly).", nameof(personDateBoundsRows));
            merged[person] = merged.TryGetValue(person, out var b) ? (min < b.Min ? min : b.Min, max > b.Max ? max : b.Max) : (min, max);
        }
        return merged.OrderBy(kv => kv.Key).Select(kv => new object?[]
        {
            deidentifier.PseudonymousId(OmopKeyDomain.ObservationPeriod, kv.Key.ToString(CultureInfo.InvariantCulture)),
            kv.Key, kv.Value.Min, kv.Value.Max, periodTypeConceptId,
        });
    }
}
