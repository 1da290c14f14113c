namespace Ingestion.Omop;

/// <summary>
/// The OMOP standardized vocabulary as the mapper needs it: (vocabulary_id, concept_code) → source concept,
/// "Maps to" / "Maps to value" → standard concepts with their domain, and FHIR system URI → vocabulary_id.
/// Implementations are read-only and thread-safe; lookups do not allocate.
/// </summary>
public interface IVocabulary
{
    /// <summary>The vocabulary release the lookups come from (VOCABULARY.vocabulary_version of the "None" row).</summary>
    string Version { get; }

    int ConceptCount { get; }

    /// <summary>The concept a source code stands for, standard or not.</summary>
    bool TryGetSourceConcept(string vocabularyId, ReadOnlySpan<char> conceptCode, out Concept concept);

    bool TryGetConcept(int conceptId, out Concept concept);

    /// <summary>How many valid targets <paramref name="source"/> has for the relationship.</summary>
    int TargetCount(in Concept source, ConceptRelationship relationship);

    /// <summary>The index-th target (ordered by target concept_id).</summary>
    Concept Target(in Concept source, ConceptRelationship relationship, int index);

    string ConceptCode(in Concept concept);

    string ConceptName(in Concept concept);

    /// <summary>The OMOP vocabulary_id of a FHIR code system URI, or null when it has none.</summary>
    string? VocabularyIdForSystem(string systemUri) => FhirCodeSystems.VocabularyIdOf(systemUri);
}

/// <summary>The relationships the compiled vocabulary keeps: the two CONCEPT_RELATIONSHIP relationships the mapping
/// follows, and a drug concept's RxNorm Ingredient ancestors (CONCEPT_ANCESTOR; drug_era is per ingredient).</summary>
public enum ConceptRelationship : byte
{
    MapsTo = 0,
    MapsToValue = 1,
    /// <summary>The standard concepts of class 'Ingredient' that are ancestors of the concept in concept_ancestor (an
    /// ingredient is its own, at level 0); a combination drug has several.</summary>
    HasIngredient = 2,
}

/// <summary>One concept. <see cref="Handle"/> lets the vocabulary that produced it answer follow-up lookups in O(1).</summary>
public readonly record struct Concept(int ConceptId, string VocabularyId, string DomainId, bool IsStandard)
{
    /// <summary>Opaque position in the producing vocabulary; meaningless across vocabularies.</summary>
    public int Handle { get; init; }

    // Carried so follow-up lookups need not re-read the concept's record (a cache miss in a large file).
    internal object? Owner { get; init; }
    internal int TargetsStart { get; init; }
    internal ushort MapsToCount { get; init; }
    internal ushort MapsToValueCount { get; init; }
    internal ushort IngredientCount { get; init; }
}
