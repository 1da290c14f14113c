namespace Ingestion.Fhir.BulkData;

/// <summary>A status, manifest or redirect URL is not one this client may follow (not https, foreign host, metadata address).</summary>
public sealed class BulkExportUnsafeUrlException(string url, string reason)
    : BulkExportException($"Refusing to follow {url}: {reason}. If this host is really the FHIR server's file store, add it to Fhir:AllowedFileHosts.")
{
    public string Url { get; } = url;
    public string Reason { get; } = reason;
}
