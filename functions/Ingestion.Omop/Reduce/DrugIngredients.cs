namespace Ingestion.Omop;

/// <summary>
/// The drug_era grouping of a drug concept: its RxNorm Ingredient ancestors (<see cref="ConceptRelationship.HasIngredient"/>,
/// from concept_ancestor when the vocabulary was compiled), as the OHDSI drug_era script rolls drug_exposure up. A drug
/// the vocabulary links to no ingredient (a CVX vaccine, a drug of a vocabulary shard without the RxNorm hierarchy, a
/// vocabulary compiled before ingredients were kept) falls back to its own standard concept, so its exposures still
/// form eras; the file's data-quality checks count them (<see cref="DataQualityChecks.DrugWithoutIngredient"/>).
/// Not thread-safe (one per reduce).
/// </summary>
public sealed class DrugIngredients(IVocabulary vocabulary)
{
    private readonly Dictionary<int, int[]> _known = new();

    /// <summary>The ingredient concept ids of <paramref name="drugConceptId"/>; empty when it has none.</summary>
    public IReadOnlyList<int> Of(int drugConceptId)
    {
        if (_known.TryGetValue(drugConceptId, out var ingredients)) return ingredients;
        ingredients = [];
        if (vocabulary.TryGetConcept(drugConceptId, out var concept))
        {
            var n = vocabulary.TargetCount(concept, ConceptRelationship.HasIngredient);
            ingredients = new int[n];
            for (var i = 0; i < n; i++) ingredients[i] = vocabulary.Target(concept, ConceptRelationship.HasIngredient, i).ConceptId;
        }
        _known[drugConceptId] = ingredients;
        return ingredients;
    }
}
