namespace Ingestion.Omop;

/// <summary>A concept id the mapping writes without a vocabulary lookup, as the OMOP vocabulary defines it (standard),
/// and the CDM columns it is written to (<c>table.column</c>). <see cref="Code"/> is Athena's concept_code where the
/// mapping translates to it, else null.</summary>
public sealed record FixedConcept(int ConceptId, string Name, string Domain, string Vocabulary, string? Code, IReadOnlyList<string> Columns);
