namespace Ingestion.Orchestration;

public enum RunOutcome { Completed, Failed, Canceled }

/// <summary>The orchestration's output: how it ended and where the published run is. Counts are in the catalog.</summary>
public sealed record ExportRunOutput(RunOutcome Outcome)
{
    public string? ManifestPath { get; init; }
    public string? ReportPath { get; init; }
    public int FilesTotal { get; init; }
    public int FilesDone { get; init; }
    public int FilesFailed { get; init; }
    public string? FailureReason { get; init; }
}
