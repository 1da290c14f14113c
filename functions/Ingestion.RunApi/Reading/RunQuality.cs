namespace Ingestion.RunApi;

/// <summary>
/// A run's data quality from its files' results: quarantine counts by reason, rows and concept-0 rows by OMOP table,
/// and the most frequent unmapped codes (vocabulary codes, not patient values).
/// </summary>
public sealed record RunQuality(
    IReadOnlyDictionary<string, long> QuarantinedByReason,
    IReadOnlyDictionary<string, long> RowsByTable,
    IReadOnlyDictionary<string, long> UnmappedRowsByTable,
    IReadOnlyList<UnmappedCodeCount> TopUnmappedCodes);

public sealed record UnmappedCodeCount(string Table, string Vocabulary, string Code, long Count);

/// <summary>
/// This run against the source's previous completed run: the relative change of resources read and the change of the
/// concept-0 rate (unmapped / mapped), in percentage points. Null members mean there is nothing to compare with.
/// </summary>
public sealed record RunComparison(string PreviousRunId, long PreviousResourcesRead, double? VolumeChange, double? PreviousConceptZeroRate, double? ConceptZeroChangePoints);
