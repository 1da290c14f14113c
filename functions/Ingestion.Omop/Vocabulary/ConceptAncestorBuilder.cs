namespace Ingestion.Omop;

/// <summary>
/// Derives concept_ancestor rows when a vocabulary download has none (an OHDSI "vocabulary shard" such as the
/// Eunomia subsets ships CONCEPT_ANCESTOR header-only): the reflexive-transitive closure of valid hierarchical
/// relationships between standard and classification concepts, with the minimum and maximum number of steps, as
/// Athena defines it (every such concept is its own ancestor at level 0). Hierarchical: "Is a", and the RxNorm
/// relationships Athena builds the drug hierarchy from (clinical/branded drug → drug component/form → Ingredient), so
/// drug_era can roll drugs up to their ingredients. Holds the closure in memory: meant for shards; a full Athena
/// download ships CONCEPT_ANCESTOR and is copied as is. A shard that lacks the intermediate drug concepts (Synthea27Nj
/// has no Clinical Drug Comp/Form) gives its drugs no ingredient ancestor.
/// </summary>
public sealed class ConceptAncestorBuilder
{
    private readonly HashSet<int> _hierarchical = [];
    private readonly Dictionary<int, List<int>> _parents = [];

    /// <summary>A concept from CONCEPT: only standard ('S') and classification ('C') concepts take part.</summary>
    public void AddConcept(int conceptId, string? standardConcept)
    {
        if (standardConcept is "S" or "C") _hierarchical.Add(conceptId);
    }

    /// <summary>Relationships whose concept_id_2 is an ancestor of concept_id_1.</summary>
    private static readonly HashSet<string> Hierarchical = new(StringComparer.Ordinal)
    {
        "Is a", "RxNorm has ing", "Consists of", "RxNorm is a", "Tradename of", "Quantified form of", "Marketed form of", "Box of",
    };

    /// <summary>A row of CONCEPT_RELATIONSHIP; only valid hierarchical rows count.</summary>
    public void AddRelationship(int conceptId1, int conceptId2, string relationshipId, string? invalidReason)
    {
        if (!Hierarchical.Contains(relationshipId) || !string.IsNullOrEmpty(invalidReason) || conceptId1 == conceptId2) return;
        if (!_parents.TryGetValue(conceptId1, out var parents)) _parents[conceptId1] = parents = [];
        parents.Add(conceptId2);
    }

    /// <summary>The rows (ancestor_concept_id, descendant_concept_id, min_levels_of_separation, max_levels_of_separation),
    /// ordered by descendant then ancestor.</summary>
    public IEnumerable<object?[]> Rows()
    {
        var memo = new Dictionary<int, Dictionary<int, (int Min, int Max)>>();
        foreach (var descendant in _hierarchical.Order())
        {
            foreach (var (ancestor, (min, max)) in AncestorsOf(descendant, memo, []).OrderBy(kv => kv.Key))
                yield return [ancestor, descendant, min, max];
        }
    }

    private Dictionary<int, (int Min, int Max)> AncestorsOf(int concept, Dictionary<int, Dictionary<int, (int, int)>> memo, HashSet<int> path)
    {
        if (memo.TryGetValue(concept, out var known)) return known;
        var result = new Dictionary<int, (int Min, int Max)> { [concept] = (0, 0) };
        // A cycle in the source (it should not have any) is cut rather than followed forever.
        if (!path.Add(concept)) return result;
        if (_parents.TryGetValue(concept, out var parents))
        {
            foreach (var parent in parents)
            {
                if (!_hierarchical.Contains(parent)) continue;
                foreach (var (ancestor, (min, max)) in AncestorsOf(parent, memo, path))
                {
                    result[ancestor] = result.TryGetValue(ancestor, out var seen)
                        ? (Math.Min(seen.Min, min + 1), Math.Max(seen.Max, max + 1))
                        : (min + 1, max + 1);
                }
            }
        }
        path.Remove(concept);
        memo[concept] = result;
        return result;
    }
}
