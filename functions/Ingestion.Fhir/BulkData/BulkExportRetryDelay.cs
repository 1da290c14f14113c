using System.Net.Http.Headers;
using Ingestion.Fhir.Net;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// How long to wait before the next request: the server's Retry-After (any form <see cref="RetryAfterHeader"/> reads)
/// clamped to [floor, ceiling], or, when absent, exponential backoff with jitter (so many clients do not poll in
/// lockstep). Status polls are also spaced to stay under <see cref="BulkExportClientOptions.MaxStatusRequestsPerMinute"/>.
/// </summary>
internal sealed class BulkExportRetryDelay(BulkExportClientOptions options)
{
    /// <summary>Wait before the next status request.</summary>
    public TimeSpan NextPoll(HttpResponseHeaders? headers, int attempt)
    {
        var wait = FromRetryAfter(headers) ?? Backoff(attempt);
        return wait < PollSpacing ? PollSpacing : wait;
    }

    public TimeSpan Next(HttpResponseHeaders? headers, int attempt) => FromRetryAfter(headers) ?? Backoff(attempt);

    public TimeSpan? FromRetryAfter(HttpResponseHeaders? headers) =>
        headers is not null && RetryAfterHeader.Read(headers, options.TimeProvider.GetUtcNow()) is { } wait ? Clamp(wait) : null;

    /// <summary>Shortest gap between two status requests (a minute divided by the allowed requests per minute).</summary>
    public TimeSpan PollSpacing => options.MaxStatusRequestsPerMinute <= 0
        ? TimeSpan.Zero
        // Round up by a hair so N requests never land inside one sliding minute.
        : TimeSpan.FromMilliseconds(Math.Ceiling(60_000.0 / options.MaxStatusRequestsPerMinute) + 1);

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
