namespace Ingestion.Omop;

/// <summary>FHIR Quantity.comparator → OMOP "Meas Value Operator" concepts (operator_concept_id).</summary>
internal static class MeasValueOperator
{
    /// <summary>The operator concept of a comparator; null when there is none (a plain value); 0 for a comparator
    /// FHIR R4 does not define (the value is still kept).</summary>
    public static int? ConceptOf(string? comparator) => comparator switch
    {
        null => null,
        "<" => FixedConcepts.LessThan,
        "<=" => FixedConcepts.LessOrEqual,
        ">=" => FixedConcepts.GreaterOrEqual,
        ">" => FixedConcepts.GreaterThan,
        "=" => FixedConcepts.Equal,
        _ => 0,
    };
}
