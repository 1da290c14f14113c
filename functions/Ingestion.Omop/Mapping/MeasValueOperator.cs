namespace Ingestion.Omop;

/// <summary>FHIR Quantity.comparator → OMOP "Meas Value Operator" concepts (operator_concept_id).</summary>
internal static class MeasValueOperator
{
    public const int LessThan = 4171756, LessOrEqual = 4171754, Equal = 4172703, GreaterOrEqual = 4171755, GreaterThan = 4172704;

    /// <summary>The operator concept of a comparator; null when there is none (a plain value); 0 for a comparator
    /// FHIR R4 does not define (the value is still kept).</summary>
    public static int? ConceptOf(string? comparator) => comparator switch
    {
        null => null,
        "<" => LessThan,
        "<=" => LessOrEqual,
        ">=" => GreaterOrEqual,
        ">" => GreaterThan,
        "=" => Equal,
        _ => 0,
    };
}
