using Ingestion.Storage;

namespace Ingestion.Orchestration;

/// <summary>The lake (de-identified OMOP Parquet) and the quarantine (rejected lines, holds PHI: stricter access).</summary>
public sealed record PipelineLakes(ILake Lake, ILake Quarantine);
