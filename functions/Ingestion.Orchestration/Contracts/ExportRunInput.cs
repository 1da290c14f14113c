using Ingestion.Fhir.BulkData;

namespace Ingestion.Orchestration;

/// <summary>Where a run's NDJSON comes from.</summary>
public enum ExportSourceKind { FhirServer, LandedFolder, LandedBlobContainer }

public enum RunTriggerKind { Schedule, Api, Cli, Retry }

/// <summary>What started a run and who (a user name, "timer"...). No secrets.</summary>
public sealed record RunTrigger(RunTriggerKind Kind, string? By = null);

/// <summary>
/// The input of one export run (the orchestration instance's input, so it is in history: ids, URLs and settings,
/// no secrets, no patient data beyond the patient ids the operator asked for).
/// </summary>
public sealed record ExportRunInput
{
    public required string SourceId { get; init; }
    public required ExportSourceKind SourceKind { get; init; }
    /// <summary>The FHIR base URL (FhirServer).</summary>
    public string? FhirBaseUrl { get; init; }
    /// <summary>The landed folder path or blob container (+ optional prefix) for landed sources.</summary>
    public string? LandedLocation { get; init; }
    /// <summary>The whole kick-off request: level, patients, _type, _typeFilter, _since, _until, _elements, GET/POST, partial manifests.</summary>
    public BulkExportRequest Request { get; init; } = new();
    /// <summary>When <see cref="BulkExportRequest.Since"/> is null, send the source's watermark as _since.</summary>
    public bool Incremental { get; init; }
    /// <summary>The de-identification key fingerprint pinned when the run started; every activity checks it.</summary>
    public required string KeyFingerprint { get; init; }
    public required RunTrigger Trigger { get; init; }
    /// <summary>For a retry: the failed run whose failed files this run processes again.</summary>
    public string? RetryOf { get; init; }
    /// <summary>For a retry: the failed run's file indexes to process again.</summary>
    public IReadOnlyList<int> RetryFiles { get; init; } = [];
    /// <summary>Orchestration settings, fixed when the run starts so replays are deterministic.</summary>
    public RunSettings Settings { get; init; } = new();
}
