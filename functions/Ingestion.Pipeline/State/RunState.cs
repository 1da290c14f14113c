namespace Ingestion.Pipeline.State;

/// <summary>
/// What the file activity, the reduce and the publisher need to know about a run (built from the run catalog).
/// </summary>
public sealed record RunState
{
    public required string InstanceId { get; init; }
    public required RunInput Input { get; init; }
    public required DateTimeOffset CreatedTime { get; init; }
    /// <summary>The _since actually sent (explicit or the watermark).</summary>
    public DateTimeOffset? EffectiveSince { get; init; }
    public DateTimeOffset? TransactionTime { get; init; }
    public bool RequiresAccessToken { get; init; }
    /// <summary>A landed export's files that were not read, with the reason.</summary>
    public IReadOnlyList<Fhir.BulkData.SkippedExportFile> SkippedFiles { get; init; } = [];
}
