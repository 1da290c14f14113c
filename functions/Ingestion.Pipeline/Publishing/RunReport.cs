using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Publishing;

/// <summary>The run report <c>reports/&lt;runId&gt;/report.json</c>: totals, per file counts, quarantine reasons,
/// types not covered, top unmapped codes. Codes and counts only.</summary>
public sealed record RunReport
{
    public required string RunId { get; init; }
    public required RunTotals Totals { get; init; }
    public required IReadOnlyDictionary<string, long> QuarantinedByReason { get; init; }
    public required IReadOnlyDictionary<string, long> NotCoveredByResourceType { get; init; }
    /// <summary>Resources not mapped because their FHIR status says they record no fact, by <c>Type.element=code</c>.</summary>
    public IReadOnlyDictionary<string, long> ExcludedByReason { get; init; } = new Dictionary<string, long>();
    public required IReadOnlyDictionary<string, long> ValidationIssues { get; init; }
    public required IReadOnlyList<UnmappedCode> TopUnmappedCodes { get; init; }
    public required IReadOnlyList<RunReportFile> Files { get; init; }
    /// <summary>Files of a landed export that were not read, each with the reason (e.g. "not NDJSON"): nothing vanishes silently.</summary>
    public IReadOnlyList<Fhir.BulkData.SkippedExportFile> SkippedFiles { get; init; } = [];
    /// <summary>DQD-style checks of the run and the comparison with the source's previous published run.</summary>
    public DataQualityReport? DataQuality { get; init; }
    /// <summary>What the fan-in changed for one row per key and no dangling reference: rows dropped or references
    /// nulled per (table, column, reason), duplicate rows dropped per table.</summary>
    public IntegrityReport? ReferentialIntegrity { get; init; }
}

public sealed record RunReportFile(int Index, ManifestFileKind Kind, string ResourceType, int Attempts, long Lines, long Valid, long Quarantined, long NotCovered, string? QuarantinePath)
{
    public long Excluded { get; init; }
}
