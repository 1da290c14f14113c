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
    public required IReadOnlyDictionary<string, long> ValidationIssues { get; init; }
    public required IReadOnlyList<UnmappedCode> TopUnmappedCodes { get; init; }
    public required IReadOnlyList<RunReportFile> Files { get; init; }
}

public sealed record RunReportFile(int Index, ManifestFileKind Kind, string ResourceType, int Attempts, long Lines, long Valid, long Quarantined, long NotCovered, string? QuarantinePath);
