using System.Net.Http.Headers;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// How long to wait before the next request: the server's Retry-After (seconds or HTTP-date) clamped to
/// [floor, ceiling], or, when absent, exponential backoff with jitter (so many clients do not poll in lockstep).
/// </summary>
internal sealed class BulkExportRetryDelay(BulkExportClientOptions options)
{
    public TimeSpan Next(RetryConditionHeaderValue? retryAfter, int attempt) =>
        FromRetryAfter(retryAfter) ?? Backoff(attempt);

    public TimeSpan? FromRetryAfter(RetryConditionHeaderValue? retryAfter)
    {
        if (retryAfter?.Delta is { } delta) return Clamp(delta);
        if (retryAfter?.Date is { } date) return Clamp(date - options.TimeProvider.GetUtcNow());
        return null;
    }

    public TimeSpan Backoff(int attempt)
    {
        var exponent = Math.Clamp(attempt, 0, 30);
        var ceiling = Math.Min(options.BackoffCeiling.TotalMilliseconds, options.BackoffBase.TotalMilliseconds * Math.Pow(2, exponent));
        // "Equal jitter": half fixed, half random, so the wait still grows but clients spread out.
        var jittered = ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2;
        return TimeSpan.FromMilliseconds(Math.Max(jittered, options.RetryAfterFloor.TotalMilliseconds));
    }

    private TimeSpan Clamp(TimeSpan value) =>
        value < options.RetryAfterFloor ? options.RetryAfterFloor
        : value > options.RetryAfterCeiling ? options.RetryAfterCeiling
        : value;
}
