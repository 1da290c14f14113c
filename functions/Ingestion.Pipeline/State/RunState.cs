using Ingestion.Fhir.BulkData;

namespace Ingestion.Pipeline.State;

/// <summary>The run (orchestration instance) document: partition = instance id, id = "run".</summary>
public sealed record RunState
{
    public required string InstanceId { get; init; }
    public required RunInput Input { get; init; }
    public RuntimeStatus RuntimeStatus { get; init; } = RuntimeStatus.Pending;
    public RunPhase Phase { get; init; } = RunPhase.KickOff;
    public required DateTimeOffset CreatedTime { get; init; }
    public required DateTimeOffset LastUpdatedTime { get; init; }
    /// <summary>The _since actually sent (explicit or the watermark).</summary>
    public DateTimeOffset? EffectiveSince { get; init; }
    /// <summary>The export being polled; persisted at kick-off so a restart polls the same export.</summary>
    public BulkExportJob? Job { get; init; }
    /// <summary>A worker is kicking off until this time: a duplicate orchestrate message waits instead of kicking off a second export.</summary>
    public DateTimeOffset? KickOffClaimedUntil { get; init; }
    /// <summary>The server's last X-Progress text.</summary>
    public string? Progress { get; init; }
    public DateTimeOffset? TransactionTime { get; init; }
    public bool RequiresAccessToken { get; init; }
    public int FileCount { get; init; }
    public string? FailureReason { get; init; }
    public RunOutput? Output { get; init; }
    /// <summary>Set when the server export was deleted, so it is deleted once.</summary>
    public bool ExportDeleted { get; init; }
}

/// <summary>A finished run's output (Durable Functions "output").</summary>
public sealed record RunOutput
{
    public string? ManifestPath { get; init; }
    public string? ReportPath { get; init; }
    public IReadOnlyList<FailedFile> FailedFiles { get; init; } = [];
}

public sealed record FailedFile(int Index, string Type, string Reason);
