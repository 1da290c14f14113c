namespace Ingestion.Orchestration;

/// <summary>The orchestration's custom status: the phase, the server's X-Progress and file counts. No patient data.</summary>
public sealed record ExportRunStatus(string Phase)
{
    public string? Progress { get; init; }
    public int FilesTotal { get; init; }
    public int FilesDone { get; init; }
    public int FilesFailed { get; init; }
}
