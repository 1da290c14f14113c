namespace Ingestion.Omop;

/// <summary>
/// What the vocabulary says about one code, as `vocab lookup SYSTEM|CODE` prints it: the source concept and its
/// "Maps to" / "Maps to value" standard concepts. SYSTEM is a FHIR system URI or an OMOP vocabulary_id.
/// </summary>
public sealed record CodeLookup(string VocabularyId, string Code, Concept? Source, string? SourceName,
    IReadOnlyList<(ConceptRelationship Relationship, Concept Concept, string Name)> Targets)
{
    /// <summary>Splits "system|code" at the last '|' (system URIs never contain one; codes rarely do). Null when malformed.</summary>
    public static (string System, string Code)? Parse(string systemAndCode)
    {
        var bar = systemAndCode.LastIndexOf('|');
        if (bar <= 0 || bar == systemAndCode.Length - 1) return null;
        return (systemAndCode[..bar], systemAndCode[(bar + 1)..]);
    }

    public static CodeLookup Find(IVocabulary vocabulary, string system, string code)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var vocabularyId = vocabulary.VocabularyIdForSystem(system) ?? system;
        if (!vocabulary.TryGetSourceConcept(vocabularyId, code, out var source)) return new CodeLookup(vocabularyId, code, null, null, []);
        var targets = new List<(ConceptRelationship, Concept, string)>();
        foreach (var relationship in new[] { ConceptRelationship.MapsTo, ConceptRelationship.MapsToValue })
        {
            for (var i = 0; i < vocabulary.TargetCount(source, relationship); i++)
            {
                var target = vocabulary.Target(source, relationship, i);
                targets.Add((relationship, target, vocabulary.ConceptName(target)));
            }
        }
        return new CodeLookup(vocabularyId, code, source, vocabulary.ConceptName(source), targets);
    }

    public IEnumerable<string> Lines()
    {
        if (Source is not { } s)
        {
            yield return $"{VocabularyId} {Code}: not in this vocabulary (maps to concept_id 0)";
            yield break;
        }
        yield return $"source   {s.ConceptId}  {s.VocabularyId} {Code}  domain={s.DomainId}  standard={(s.IsStandard ? "S" : "-")}  {SourceName}";
        if (Targets.Count == 0) yield return s.IsStandard ? "maps to  itself (standard)" : "maps to  nothing (concept_id 0)";
        foreach (var (relationship, concept, name) in Targets)
        {
            var label = relationship == ConceptRelationship.MapsTo ? "maps to " : "value   ";
            yield return $"{label} {concept.ConceptId}  {concept.VocabularyId}  domain={concept.DomainId}  {name}";
        }
    }
}
