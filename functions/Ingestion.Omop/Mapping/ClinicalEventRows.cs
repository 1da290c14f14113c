using Ingestion.Privacy;

namespace Ingestion.Omop;

/// <summary>
/// Lays a <see cref="ClinicalEvent"/> out as a row of the table its standard concept's domain selects, in that
/// table's column order. One method per target table; columns the event cannot fill are null.
/// </summary>
internal static class ClinicalEventRows
{
    /// <summary>The clinical table of an OMOP domain, or null for domains that have none (Meas Value, Spec Anatomic Site...).</summary>
    public static OmopTable? TableOfDomain(string domainId) => domainId switch
    {
        "Condition" => CdmTables.ConditionOccurrence,
        "Drug" => CdmTables.DrugExposure,
        "Procedure" => CdmTables.ProcedureOccurrence,
        "Device" => CdmTables.DeviceExposure,
        "Measurement" => CdmTables.Measurement,
        "Observation" => CdmTables.Observation,
        _ => null,
    };

    public static OmopKeyDomain KeyDomainOf(OmopTable table) => table.Name switch
    {
        "condition_occurrence" => OmopKeyDomain.ConditionOccurrence,
        "drug_exposure" => OmopKeyDomain.DrugExposure,
        "procedure_occurrence" => OmopKeyDomain.ProcedureOccurrence,
        "device_exposure" => OmopKeyDomain.DeviceExposure,
        "measurement" => OmopKeyDomain.Measurement,
        "observation" => OmopKeyDomain.Observation,
        _ => throw new ArgumentException("not a clinical event table", nameof(table)),
    };

    /// <summary>Puts the event's row (with its value <paramref name="v"/> where the table has value columns), in
    /// <paramref name="table"/>'s column order, into <paramref name="row"/>.</summary>
    public static void Write(OmopRowWriter row, OmopTable table, long key, in ClinicalEvent e, in EventValue v, int conceptId, in SourceCode code, int mapsToValue)
    {
        switch (table.Name)
        {
            case "condition_occurrence":
                row.Put(key).Put(e.PersonId).Put(conceptId).Put(e.StartDate).Put(e.StartDateTime).Put(e.EndDate).Put(e.EndDateTime).Put(e.TypeConceptId)
                    .Put(e.StatusConceptId).Null().Put(e.ProviderId).Put(e.VisitId).Null().Put(code.SourceValue).Put(code.SourceConceptId).Put(e.StatusSourceValue);
                break;
            case "drug_exposure":
                row.Put(key).Put(e.PersonId).Put(conceptId).Put(e.StartDate).Put(e.StartDateTime).Put(e.EndDate ?? e.StartDate).Put(e.EndDateTime ?? e.StartDateTime)
                    .Put(e.VerbatimEndDate).Put(e.TypeConceptId).Null().Put(e.Refills).Put(e.Quantity).Put(e.DaysSupply).Null().Put(e.RouteConceptId).Null()
                    .Put(e.ProviderId).Put(e.VisitId).Null().Put(code.SourceValue).Put(code.SourceConceptId).Put(e.RouteSourceValue).Null();
                break;
            case "procedure_occurrence":
                row.Put(key).Put(e.PersonId).Put(conceptId).Put(e.StartDate).Put(e.StartDateTime).Put(e.EndDate).Put(e.EndDateTime).Put(e.TypeConceptId)
                    .Null().Null().Put(e.ProviderId).Put(e.VisitId).Null().Put(code.SourceValue).Put(code.SourceConceptId).Null();
                break;
            case "device_exposure":
                row.Put(key).Put(e.PersonId).Put(conceptId).Put(e.StartDate).Put(e.StartDateTime).Put(e.EndDate).Put(e.EndDateTime).Put(e.TypeConceptId)
                    .Null().Null().Null().Put(e.ProviderId).Put(e.VisitId).Null().Put(code.SourceValue).Put(code.SourceConceptId).Null().Null().Null();
                break;
            case "measurement":
                row.Put(key).Put(e.PersonId).Put(conceptId).Put(e.StartDate).Put(e.StartDateTime).Null().Put(e.TypeConceptId).Put(v.OperatorConceptId)
                    .Put(v.ValueAsNumber).Put(mapsToValue != 0 ? mapsToValue : v.ValueAsConceptId).Put(v.UnitConceptId).Put(v.RangeLow).Put(v.RangeHigh)
                    .Put(e.ProviderId).Put(e.VisitId).Null().Put(code.SourceValue).Put(code.SourceConceptId).Put(v.UnitSourceValue).Put(v.UnitSourceConceptId)
                    .Put(v.ValueSourceValue).Null().Null();
                break;
            case "observation":
                row.Put(key).Put(e.PersonId).Put(conceptId).Put(e.StartDate).Put(e.StartDateTime).Put(e.TypeConceptId).Put(v.ValueAsNumber).Null()
                    .Put(mapsToValue != 0 ? mapsToValue : v.ValueAsConceptId).Null().Put(v.UnitConceptId).Put(e.ProviderId).Put(e.VisitId).Null()
                    .Put(code.SourceValue).Put(code.SourceConceptId).Put(v.UnitSourceValue).Null().Put(v.ValueSourceValue).Null().Null();
                break;
            default:
                throw new ArgumentException("not a clinical event table", nameof(table));
        }
    }
}
