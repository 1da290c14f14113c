using Ingestion.Pipeline;
using Ingestion.Privacy;

namespace Ingestion.Orchestration;

/// <summary>
/// Key pinning: a run records the de-identification key fingerprint when it starts; a worker configured with a
/// different key refuses the run's activities (without retry), so pseudonyms from two keys never mix in one run.
/// </summary>
public sealed class RunKeyPin(IDeidentifier deidentifier)
{
    public string Fingerprint => deidentifier.KeyFingerprint;

    public void Check(string runId, string pinnedFingerprint)
    {
        if (!string.Equals(pinnedFingerprint, deidentifier.KeyFingerprint, StringComparison.Ordinal))
            throw new KeyMismatchException(runId, pinnedFingerprint, deidentifier.KeyFingerprint);
    }
}

/// <summary>This worker's de-identification key is not the one the run was started with.</summary>
public sealed class KeyMismatchException(string runId, string pinned, string configured)
    : NonRetryableActivityException($"Run '{runId}' was started with de-identification key {pinned}; this worker is configured with key {configured}. Refusing to mix keys in one run: configure the same Deid:Key on every worker, or start a new run.")
{
    public string RunId { get; } = runId;
}
