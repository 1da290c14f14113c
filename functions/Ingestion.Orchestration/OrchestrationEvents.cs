namespace Ingestion.Orchestration;

/// <summary>External events the run orchestrations handle.</summary>
public static class OrchestrationEvents
{
    /// <summary>Stop scheduling files, DELETE the export and end as canceled with what was done. Payload: who asked.</summary>
    public const string Cancel = "Cancel";

    /// <summary>Sent by a file batch to its run when it has scheduled all its units (<see cref="FileBatchInput.AnnounceScheduled"/>):
    /// the run starts the next batch while that one's last units run. Payload: none.</summary>
    public static string BatchScheduled(string batchInstanceId) => "BatchScheduled:" + batchInstanceId;
}
