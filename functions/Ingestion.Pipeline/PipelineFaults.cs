namespace Ingestion.Pipeline;

/// <summary>
/// Named points where tests (and chaos drills) can inject a crash: the hook may throw or cancel the host.
/// Production uses <see cref="None"/>.
/// </summary>
public interface IPipelineFaults
{
    ValueTask AtAsync(string point, string instanceId, CancellationToken cancellationToken);

    public static IPipelineFaults None { get; } = new NoFaults();

    private sealed class NoFaults : IPipelineFaults
    {
        public ValueTask AtAsync(string point, string instanceId, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}

/// <summary>The fault points, at each phase boundary and inside an activity.</summary>
public static class FaultPoints
{
    /// <summary>The server accepted the kick-off; the status URL is not yet checkpointed.</summary>
    public const string AfterKickOff = "kickoff.after-request";
    /// <summary>Activities created and enqueued; the run is not yet in Processing.</summary>
    public const string AfterFanOut = "polling.after-fan-out";
    /// <summary>Inside a file activity, after some lines were staged (not committed).</summary>
    public const string MidActivity = "activity.mid-file";
    /// <summary>A file's parts are committed; its activity is not yet checkpointed Completed.</summary>
    public const string AfterActivityOutput = "activity.after-output";
    /// <summary>Every activity is terminal; the run is not yet in Finalizing.</summary>
    public const string BeforeFinalizing = "processing.before-finalizing";
    /// <summary>The commit manifest is written; watermark, export deletion and Completed are not.</summary>
    public const string AfterPublish = "finalizing.after-publish";

    public static IReadOnlyList<string> All { get; } = [AfterKickOff, AfterFanOut, MidActivity, AfterActivityOutput, BeforeFinalizing, AfterPublish];
}
