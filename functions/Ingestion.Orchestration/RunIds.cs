using System.Globalization;

namespace Ingestion.Orchestration;

/// <summary>Run ids (= Durable instance ids).</summary>
public static class RunIds
{
    /// <summary>
    /// The instance id of a scheduled run: one per source and schedule slot, so two timer ticks for the same slot
    /// (two hosts, a retried timer) start one run.
    /// </summary>
    public static string ForSchedule(string sourceId, DateTimeOffset slotUtc) =>
        $"{sourceId}-{slotUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture)}";

    /// <summary>A new id for an on-demand run (CLI, API, retry).</summary>
    public static string New(string sourceId, DateTimeOffset nowUtc) =>
        $"{sourceId}-{nowUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The instance id of a run's file batch sub-orchestration (deterministic, so a replay finds it).</summary>
    public static string ForBatch(string runId, int batch) => $"{runId}:files:{batch:D5}";
}
