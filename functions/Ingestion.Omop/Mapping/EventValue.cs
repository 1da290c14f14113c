namespace Ingestion.Omop;

/// <summary>
/// What an Observation (or one of its components) measured: value[x], unit, operator and reference range, for the
/// value columns of measurement and observation. Apart from <see cref="ClinicalEvent"/> so the event's facts are not
/// copied whole to add them (a struct of that size went through the runtime's write-barrier copy on every value).
/// </summary>
internal readonly record struct EventValue
{
    /// <summary>No value: every other event type.</summary>
    public static readonly EventValue None;

    public double? ValueAsNumber { get; init; }
    public int? ValueAsConceptId { get; init; }
    public string? ValueSourceValue { get; init; }
    public int? UnitConceptId { get; init; }
    public string? UnitSourceValue { get; init; }
    public int? UnitSourceConceptId { get; init; }
    public double? RangeLow { get; init; }
    public double? RangeHigh { get; init; }
    public int? OperatorConceptId { get; init; }
}
