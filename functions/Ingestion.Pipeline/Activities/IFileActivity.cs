using Ingestion.Pipeline.Sources;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Processes one manifest file end to end and stages its outputs under deterministic names. Must be idempotent:
/// running it again for the same file replaces its own outputs and yields the same result.
/// Throws to ask for a retry; the orchestrator applies backoff and the attempt limit.
/// </summary>
public interface IFileActivity
{
    Task<FileResult> RunAsync(FileActivityContext context, CancellationToken cancellationToken);
}

/// <summary>Everything an activity needs about its file and run.</summary>
public sealed record FileActivityContext(RunState Run, ActivityState Activity, IExportSource Source);
