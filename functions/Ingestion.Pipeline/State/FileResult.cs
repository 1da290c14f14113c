namespace Ingestion.Pipeline.State;

/// <summary>
/// What one file activity produced: counts, the Parquet parts it staged and its mapping/validation summary.
/// Codes and counts only, never patient values.
/// </summary>
public sealed record FileResult
{
    public long LinesRead { get; init; }
    public long Bytes { get; init; }
    public long ResourcesValid { get; init; }
    public long Quarantined { get; init; }
    public long NotCovered { get; init; }
    /// <summary>Resources excluded by their FHIR status (refuted, cancelled, entered in error ...): not errors.</summary>
    public long Excluded { get; init; }
    /// <summary>Lines of an error[] file (OperationOutcome) or deleted[] entries, when the file is one of those.</summary>
    public long ServerErrors { get; init; }
    public long Deletions { get; init; }
    public IReadOnlyList<PartOutput> Parts { get; init; } = [];
    public IReadOnlyDictionary<string, long> RowsByTable { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> UnmappedRowsByTable { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> QuarantinedByReason { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> NotCoveredByResourceType { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> ExcludedByReason { get; init; } = new Dictionary<string, long>();
    public IReadOnlyList<UnmappedCode> UnmappedCodes { get; init; } = [];
    /// <summary>Validation issues by rule id (report mode keeps the resource; counts only).</summary>
    public IReadOnlyDictionary<string, long> ValidationIssues { get; init; } = new Dictionary<string, long>();
    /// <summary>DQD-style check counts over the rows this file wrote.</summary>
    public Ingestion.Omop.DataQualityResult DataQuality { get; init; } = Ingestion.Omop.DataQualityResult.Empty;
    public string? QuarantinePath { get; init; }
    /// <summary>Staged per-person date bounds for the observation_period reduce.</summary>
    public string? PersonDatesPath { get; init; }
    /// <summary>Staged keys of every row written (<see cref="Activities.RowKeyStaging"/>) for the integrity pass.</summary>
    public string? RowKeysPath { get; init; }
}

/// <summary>One staged Parquet part.</summary>
public sealed record PartOutput(string Table, string Path, long Rows, long Bytes);

public sealed record UnmappedCode(string Table, string Vocabulary, string Code, long Count);
