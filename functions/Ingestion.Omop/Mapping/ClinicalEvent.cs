namespace Ingestion.Omop;

/// <summary>
/// The facts of one clinical event, independent of the table its concept's domain sends it to. Dates are already
/// shifted; keys already pseudonymous. <see cref="Key"/> is what the row key derives from ("Type/id", plus
/// "#component/i" or "#map/k" where one resource yields several rows). An Observation's value is an
/// <see cref="EventValue"/> beside it.
/// </summary>
internal readonly record struct ClinicalEvent
{
    public required EventKeySource Key { get; init; }
    public required long PersonId { get; init; }
    public required DateOnly StartDate { get; init; }
    public DateTime? StartDateTime { get; init; }
    public DateOnly? EndDate { get; init; }
    public DateTime? EndDateTime { get; init; }
    public required int TypeConceptId { get; init; }
    public long? ProviderId { get; init; }
    public long? VisitId { get; init; }

    public int? StatusConceptId { get; init; }
    public string? StatusSourceValue { get; init; }

    public DateOnly? VerbatimEndDate { get; init; }
    public double? Quantity { get; init; }
    public int? DaysSupply { get; init; }
    public int? Refills { get; init; }
    public int? RouteConceptId { get; init; }
    public string? RouteSourceValue { get; init; }
}
