namespace Ingestion.Omop;

/// <summary>
/// The CDM 5.4 vocabulary tables a cohort definition needs (concept, concept_relationship, concept_ancestor,
/// vocabulary, domain, concept_class), column for column per the OHDSI field-level spec. Written to the lake by
/// <c>vocab build --lake</c> under <c>vocabulary/&lt;version&gt;/</c>.
/// </summary>
public static class VocabularyTables
{
    public static readonly OmopTable Concept = new("concept",
    [
        Int("concept_id", true), Text("concept_name", true, 255), Text("domain_id", true, 20), Text("vocabulary_id", true, 20),
        Text("concept_class_id", true, 20), Text("standard_concept", false, 1), Text("concept_code", true, 50),
        Date("valid_start_date", true), Date("valid_end_date", true), Text("invalid_reason", false, 1),
    ]);

    public static readonly OmopTable ConceptRelationship = new("concept_relationship",
    [
        Int("concept_id_1", true), Int("concept_id_2", true), Text("relationship_id", true, 20),
        Date("valid_start_date", true), Date("valid_end_date", true), Text("invalid_reason", false, 1),
    ]);

    public static readonly OmopTable ConceptAncestor = new("concept_ancestor",
    [
        Int("ancestor_concept_id", true), Int("descendant_concept_id", true),
        Int("min_levels_of_separation", true), Int("max_levels_of_separation", true),
    ]);

    public static readonly OmopTable Vocabulary = new("vocabulary",
    [
        Text("vocabulary_id", true, 20), Text("vocabulary_name", true, 255), Text("vocabulary_reference", false, 255),
        Text("vocabulary_version", false, 255), Int("vocabulary_concept_id", true),
    ]);

    public static readonly OmopTable Domain = new("domain",
        [Text("domain_id", true, 20), Text("domain_name", true, 255), Int("domain_concept_id", true)]);

    public static readonly OmopTable ConceptClass = new("concept_class",
        [Text("concept_class_id", true, 20), Text("concept_class_name", true, 255), Int("concept_class_concept_id", true)]);

    public static readonly IReadOnlyList<OmopTable> All = [Concept, ConceptRelationship, ConceptAncestor, Vocabulary, Domain, ConceptClass];

    private static OmopColumn Int(string name, bool required) => new(name, OmopColumnType.Integer, required);
    private static OmopColumn Date(string name, bool required) => new(name, OmopColumnType.Date, required);
    private static OmopColumn Text(string name, bool required, int maxLength) => new(name, OmopColumnType.Varchar, required, maxLength);
}
