using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.Sources;
using Ingestion.Pipeline.State;
using Ingestion.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Pipeline;

/// <summary>What an orchestration host and its management client run on. The same set serves the CLI, the
/// Functions custom handler and the tests.</summary>
public sealed record OrchestrationServices
{
    public required IStateStore StateStore { get; init; }
    public required IWorkQueue WorkQueue { get; init; }
    public required IRunEventPublisher Events { get; init; }
    /// <summary>The analytics lake (published runs).</summary>
    public required ILake Lake { get; init; }
    /// <summary>The quarantine lake: holds PHI, configured separately.</summary>
    public required ILake QuarantineLake { get; init; }
    public required IExportSourceFactory Sources { get; init; }
    public required IFileActivity FileActivity { get; init; }
    public required IRunPublisher Publisher { get; init; }
    public PipelineOptions Options { get; init; } = new();
    public IPipelineFaults Faults { get; init; } = IPipelineFaults.None;
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    internal OrchestrationState State => new(StateStore, Time);
}
