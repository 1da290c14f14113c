using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>Registers the run's orchestrators and activities (every host calls this, and only this).</summary>
public static class OrchestrationRegistration
{
    public static DurableTaskRegistry AddExportOrchestration(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestrator<ExportOrchestrator>();
        registry.AddOrchestrator<FileBatchOrchestrator>();
        registry.AddActivity<RecordRunActivity>();
        registry.AddActivity<KickOffExportActivity>();
        registry.AddActivity<PollExportActivity>();
        registry.AddActivity<PrepareRetryActivity>();
        registry.AddActivity<ProcessFileActivity>();
        registry.AddActivity<RecordFileFailedActivity>();
        registry.AddActivity<ReduceRunActivity>();
        registry.AddActivity<PublishRunActivity>();
        registry.AddActivity<AdvanceWatermarkActivity>();
        registry.AddActivity<DeleteExportActivity>();
        registry.AddActivity<AnnounceRunActivity>();
        return registry;
    }
}
