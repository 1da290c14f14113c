using Ingestion.Storage.Catalog;

namespace Ingestion.RunApi;

/// <summary>
/// A run in a listing: the catalog row without its input (which may hold the patient ids an operator asked for).
/// Codes, times and counts only.
/// </summary>
public sealed record RunSummary(
    string RunId,
    string SourceId,
    string Status,
    string Phase,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    string Trigger,
    string? TriggeredBy,
    string? RetryOf,
    int FilesTotal,
    RunCounters Counters,
    string? FailureReason,
    Uri StatusQueryGetUri)
{
    public static RunSummary From(RunRecord run, Uri status) => new(
        run.RunId, run.SourceId, run.Status.ToString(), run.Phase, run.CreatedAt, run.CompletedAt, run.Trigger, run.TriggeredBy,
        run.RetryOf, run.FilesTotal, run.Counters, run.FailureReason, status);
}

/// <summary>A page of runs; pass <see cref="ContinuationToken"/> back as <c>continuationToken</c> for the next.</summary>
public sealed record RunListPayload(IReadOnlyList<RunSummary> Runs, string? ContinuationToken);
