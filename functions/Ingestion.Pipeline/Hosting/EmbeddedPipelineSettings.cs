using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;
using Ingestion.Privacy;

namespace Ingestion.Pipeline.Hosting;

/// <summary>Everything the embedded pipeline is configured with (each part bound from its own configuration section).</summary>
public sealed record EmbeddedPipelineSettings
{
    public PipelineOptions Pipeline { get; init; } = new();
    public LocalStorageOptions Storage { get; init; } = new();
    public VocabularyOptions Vocabulary { get; init; } = new();
    public required DeidentificationOptions Deidentification { get; init; }
    /// <summary>Template for every FHIR server source (its BaseUrl is replaced by the run's).</summary>
    public BulkExportClientOptions BulkExport { get; init; } = new();
    /// <summary>SMART Backend Services; used when ClientId is set.</summary>
    public SmartBackendOptions? Smart { get; init; }
    /// <summary>cdm_source.cdm_holder.</summary>
    public string CdmHolder { get; init; } = "unknown";
}
