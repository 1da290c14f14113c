namespace Ingestion.Privacy;

/// <summary>
/// The stable name of each key domain: its OMOP table. Used in derivation labels and the crosswalk, so renaming a
/// C# enum member never changes published ids.
/// </summary>
public static class OmopKeyDomainNames
{
    public static string TableName(OmopKeyDomain domain) => domain switch
    {
        OmopKeyDomain.Person => "person",
        OmopKeyDomain.ObservationPeriod => "observation_period",
        OmopKeyDomain.VisitOccurrence => "visit_occurrence",
        OmopKeyDomain.ConditionOccurrence => "condition_occurrence",
        OmopKeyDomain.DrugExposure => "drug_exposure",
        OmopKeyDomain.ProcedureOccurrence => "procedure_occurrence",
        OmopKeyDomain.DeviceExposure => "device_exposure",
        OmopKeyDomain.Measurement => "measurement",
        OmopKeyDomain.Observation => "observation",
        OmopKeyDomain.Provider => "provider",
        OmopKeyDomain.CareSite => "care_site",
        OmopKeyDomain.Location => "location",
        OmopKeyDomain.VisitDetail => "visit_detail",
        OmopKeyDomain.Note => "note",
        OmopKeyDomain.Specimen => "specimen",
        OmopKeyDomain.PayerPlanPeriod => "payer_plan_period",
        OmopKeyDomain.Cost => "cost",
        OmopKeyDomain.ConditionEra => "condition_era",
        OmopKeyDomain.DrugEra => "drug_era",
        _ => throw new ArgumentOutOfRangeException(nameof(domain), (int)domain, "Unknown OMOP key domain."),
    };

    public static bool TryParse(ReadOnlySpan<char> tableName, out OmopKeyDomain domain)
    {
        foreach (var candidate in Enum.GetValues<OmopKeyDomain>())
        {
            if (tableName.SequenceEqual(TableName(candidate)))
            {
                domain = candidate;
                return true;
            }
        }

        domain = default;
        return false;
    }
}
