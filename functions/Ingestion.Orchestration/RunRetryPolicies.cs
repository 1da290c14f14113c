using Ingestion.Pipeline;
using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>
/// The retry policies of a run: transient failures (429, 5xx, network, a crashed worker) are retried with backoff
/// a bounded number of times; failures that cannot get better (a refused kick-off, a 410 file URL, a key mismatch)
/// are not retried.
/// </summary>
internal static class RunRetryPolicies
{
    public static TaskOptions ForSteps(RunSettings settings) => Create(settings.MaxStepAttempts, settings);

    public static TaskOptions ForFiles(RunSettings settings) => Create(settings.MaxFileAttempts, settings);

    private static TaskOptions Create(int attempts, RunSettings settings) =>
        TaskOptions.FromRetryPolicy(new RetryPolicy(Math.Max(1, attempts), settings.FirstRetryDelay, 2.0, settings.MaxRetryDelay)
        {
            HandleFailure = failure => !failure.IsCausedBy<NonRetryableActivityException>(),
        });
}
