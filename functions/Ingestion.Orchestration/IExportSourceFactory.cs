using Ingestion.Pipeline.Sources;

namespace Ingestion.Orchestration;

/// <summary>Builds a run's source from its input (credentials come from configuration, never from the run).</summary>
public interface IExportSourceFactory
{
    IExportSource Create(ExportRunInput input);
}
