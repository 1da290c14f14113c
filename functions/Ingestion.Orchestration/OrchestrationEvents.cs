namespace Ingestion.Orchestration;

/// <summary>External events the run orchestrations handle.</summary>
public static class OrchestrationEvents
{
    /// <summary>Stop scheduling files, DELETE the export and end as canceled with what was done. Payload: who asked.</summary>
    public const string Cancel = "Cancel";
}
