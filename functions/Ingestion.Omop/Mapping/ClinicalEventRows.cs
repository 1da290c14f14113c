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

    public static object?[] Build(OmopTable table, long key, in ClinicalEvent e, int conceptId, in SourceCode code, int mapsToValue) =>
        table.Name switch
        {
            "condition_occurrence" =>
            [
                key, e.PersonId, conceptId, e.StartDate, e.StartDateTime, e.EndDate, e.EndDateTime, e.TypeConceptId,
                e.StatusConceptId, null, e.ProviderId, e.VisitId, null, code.SourceValue, code.SourceConceptId, e.StatusSourceValue,
            ],
            "drug_exposure" =>
            [
                key, e.PersonId, conceptId, e.StartDate, e.StartDateTime, e.EndDate ?? e.StartDate, e.EndDateTime ?? e.StartDateTime,
                e.VerbatimEndDate, e.TypeConceptId, null, e.Refills, e.Quantity, e.DaysSupply, null, e.RouteConceptId, null,
                e.ProviderId, e.VisitId, null, code.SourceValue, code.SourceConceptId, e.RouteSourceValue, null,
            ],
            "procedure_occurrence" =>
            [
                key, e.PersonId, conceptId, e.StartDate, e.StartDateTime, e.EndDate, e.EndDateTime, e.TypeConceptId,
                null, null, e.ProviderId, e.VisitId, null, code.SourceValue, code.SourceConceptId, null,
            ],
            "device_exposure" =>
            [
                key, e.PersonId, conceptId, e.StartDate, e.StartDateTime, e.EndDate, e.EndDateTime, e.TypeConceptId,
                null, null, null, e.ProviderId, e.VisitId, null, code.SourceValue, code.SourceConceptId, null, null, null,
            ],
            "measurement" =>
            [
                key, e.PersonId, conceptId, e.StartDate, e.StartDateTime, null, e.TypeConceptId, e.OperatorConceptId,
                e.ValueAsNumber, mapsToValue != 0 ? mapsToValue : e.ValueAsConceptId, e.UnitConceptId, e.RangeLow, e.RangeHigh,
                e.ProviderId, e.VisitId, null, code.SourceValue, code.SourceConceptId, e.UnitSourceValue, e.UnitSourceConceptId,
                e.ValueSourceValue, null, null,
            ],
            "observation" =>
            [
                key, e.PersonId, conceptId, e.StartDate, e.StartDateTime, e.TypeConceptId, e.ValueAsNumber, null,
                mapsToValue != 0 ? mapsToValue : e.ValueAsConceptId, null, e.UnitConceptId, e.ProviderId, e.VisitId, null,
                code.SourceValue, code.SourceConceptId, e.UnitSourceValue, null, e.ValueSourceValue, null, null,
            ],
            _ => throw new ArgumentException("not a clinical event table", nameof(table)),
        };
}
