namespace Ingestion.Pipeline.State;

/// <summary>
/// Durable Functions' runtime status. A run whose files did not all complete ends <see cref="Failed"/> and is not
/// published (readers never see a partial run); its output lists every failed file with its reason, and
/// <c>resume</c> retries just those files.
/// </summary>
public enum RuntimeStatus { Pending, Running, Completed, Failed, Canceled, Terminated }

/// <summary>Where a run stands: kick-off, waiting for the server, processing files, reducing and publishing.</summary>
public enum RunPhase { KickOff, Polling, Processing, Finalizing }

public static class RuntimeStatusExtensions
{
    public static bool IsTerminal(this RuntimeStatus status) =>
        status is RuntimeStatus.Completed or RuntimeStatus.Failed or RuntimeStatus.Canceled or RuntimeStatus.Terminated;
}
