using Ingestion.Storage.Catalog;

namespace Ingestion.RunApi;

/// <summary>
/// Everything the dashboard's run page shows, from the run catalog: the run, its files (timeline), its data quality,
/// the comparison with the previous run of the source and the audit trail (events sent, actions taken).
/// </summary>
public sealed record RunDetailPayload(
    RunSummary Run,
    string? Progress,
    IReadOnlyList<RunFileSummary> Files,
    RunQuality Quality,
    RunComparison? Previous,
    IReadOnlyList<RunAuditSummary> Audit);

/// <summary>An audit entry (action, actor, time, detail: ids and codes only).</summary>
public sealed record RunAuditSummary(string Action, DateTimeOffset At, string? Actor, string? Detail)
{
    public static RunAuditSummary From(AuditEntry entry) => new(entry.Action, entry.At, entry.Actor, entry.Detail);
}
