using System.Text.Json.Serialization;

namespace Ingestion.Fhir.BulkData;

/// <summary>What a folder download wrote: resources per type and the lines set aside in quarantine.</summary>
public sealed record BulkExportFolderSummary(
    [property: JsonPropertyName("resourcesPerType")] IReadOnlyDictionary<string, long> ResourcesPerType,
    [property: JsonPropertyName("invalidLinesPerType")] IReadOnlyDictionary<string, long> InvalidLinesPerType,
    [property: JsonPropertyName("errorFiles")] int ErrorFiles,
    [property: JsonPropertyName("deletedFiles")] int DeletedFiles,
    [property: JsonPropertyName("bytes")] long Bytes);
