namespace Ingestion.RunApi;

/// <summary>
/// An alert raised by <see cref="RunAlertEvaluator"/>: its kind (a stable code), the source, the run when there is
/// one, and a sentence of ids, times and counts only.
/// </summary>
public sealed record RunAlert(string Kind, string SourceId, string? RunId, string Detail)
{
    public const string RunOverSla = "run-over-sla";
    public const string RunFailed = "run-failed";
    public const string NoRecentSuccess = "no-recent-success";
    public const string VolumeDrop = "volume-drop";
    public const string ConceptZeroSpike = "concept-zero-spike";
}

public sealed record RunAlertListPayload(DateTimeOffset EvaluatedAt, IReadOnlyList<RunAlert> Alerts);
