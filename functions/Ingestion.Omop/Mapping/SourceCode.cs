namespace Ingestion.Omop;

/// <summary>
/// The coding a mapping chose from a CodeableConcept, with what the vocabulary knows about it.
/// <see cref="ReportVocabulary"/> is the OMOP vocabulary_id, else the FHIR system URI, else "(none)".
/// </summary>
internal readonly record struct SourceCode(string ReportVocabulary, string? Code, string? SourceValue, bool Known, Concept Concept)
{
    public static readonly SourceCode None = new("(none)", null, null, false, default);

    public int SourceConceptId => Known ? Concept.ConceptId : 0;

    // What every row of the code asks the vocabulary, looked up once when the code is resolved (a repeated coding is
    // remembered with them: SourceCodeMemo). Read through ConceptResolver.

    /// <summary>How many standard concepts the code maps to (0: unmapped).</summary>
    internal int StandardCount { get; init; }

    /// <summary>The first of them, when there is one.</summary>
    internal Concept FirstStandard { get; init; }

    /// <summary>The first "Maps to value" target's concept_id, or 0.</summary>
    internal int MapsToValueId { get; init; }
}
