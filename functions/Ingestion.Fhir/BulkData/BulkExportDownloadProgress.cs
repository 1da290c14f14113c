namespace Ingestion.Fhir.BulkData;

/// <summary>Progress of a folder download: files finished, bytes and resources written so far.</summary>
public sealed record BulkExportDownloadProgress(int FilesDone, int FilesTotal, long Bytes, long Resources, long InvalidLines);
