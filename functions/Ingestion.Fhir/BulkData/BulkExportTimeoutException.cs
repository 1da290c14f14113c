namespace Ingestion.Fhir.BulkData;

/// <summary>An export did not complete within <see cref="BulkExportClientOptions.OverallTimeout"/>.</summary>
public sealed class BulkExportTimeoutException(string message) : BulkExportException(message);
