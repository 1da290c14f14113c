namespace Ingestion.Omop;

/// <summary>
/// The coding a mapping chose from a CodeableConcept, with what the vocabulary knows about it.
/// <see cref="ReportVocabulary"/> is the OMOP vocabulary_id, else the FHIR system URI, else "(none)".
/// </summary>
internal readonly record struct SourceCode(string ReportVocabulary, string? Code, string? SourceValue, bool Known, Concept Concept)
{
    public static readonly SourceCode None = new("(none)", null, null, false, default);

    public int SourceConceptId => Known ? Concept.ConceptId : 0;
}
