using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline;

/// <summary>A run's status in the shape of Durable Functions' instance status (serialize with <see cref="StateJson.Options"/>).</summary>
public sealed record RunStatus
{
    public string Name { get; init; } = "ExportRun";
    public required string InstanceId { get; init; }
    public required RuntimeStatus RuntimeStatus { get; init; }
    public required RunCustomStatus CustomStatus { get; init; }
    public required RunInput Input { get; init; }
    public RunOutput? Output { get; init; }
    public required DateTimeOffset CreatedTime { get; init; }
    public required DateTimeOffset LastUpdatedTime { get; init; }
    public IReadOnlyList<HistoryEvent>? HistoryEvents { get; init; }
    /// <summary>Management URLs, set when the pipeline is hosted over HTTP.</summary>
    public ManagementUrls? Management { get; init; }
}

/// <summary>Live progress: phase, the server's X-Progress, file and resource counts, rows per table. Counts only.</summary>
public sealed record RunCustomStatus
{
    public required RunPhase Phase { get; init; }
    public string? Progress { get; init; }
    public int FilesTotal { get; init; }
    public int FilesDone { get; init; }
    public int FilesFailed { get; init; }
    public int FilesRunning { get; init; }
    public long ResourcesRead { get; init; }
    public long ResourcesValid { get; init; }
    public long ResourcesQuarantined { get; init; }
    public long ResourcesNotCovered { get; init; }
    /// <summary>Resources excluded by their FHIR status (refuted, cancelled, entered in error ...): not errors.</summary>
    public long ResourcesExcluded { get; init; }
    public long Deletions { get; init; }
    public long ServerErrors { get; init; }
    public long Bytes { get; init; }
    public long UnmappedRows { get; init; }
    public IReadOnlyDictionary<string, long> RowsByTable { get; init; } = new Dictionary<string, long>();
    public string? FailureReason { get; init; }
}

/// <summary>Durable-Functions-style management endpoints of one run.</summary>
public sealed record ManagementUrls(string StatusQueryGetUri, string TerminatePostUri, string RerunPostUri, string PurgeHistoryDeleteUri)
{
    public static ManagementUrls For(Uri baseUri, string instanceId)
    {
        var root = baseUri.ToString().TrimEnd('/') + "/api/runs/" + Uri.EscapeDataString(instanceId);
        return new(root, root + "/cancel", root + "/resume", root);
    }
}
