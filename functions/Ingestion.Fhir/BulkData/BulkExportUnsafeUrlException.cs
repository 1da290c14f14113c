namespace Ingestion.Fhir.BulkData;

/// <summary>
/// A status, manifest, file or redirect URL is not one this client may follow (not https, foreign host, credentials,
/// metadata or internal address). <see cref="Url"/> is already redacted (no query string).
/// </summary>
public sealed class BulkExportUnsafeUrlException(string url, string reason, string? advice = null)
    : BulkExportException($"Refusing to follow {url}: {reason}. {advice ?? DefaultAdvice}")
{
    internal const string DefaultAdvice = "If this host is really the FHIR server's file store, add it to Fhir:AllowedFileHosts.";
    internal const string PrivateNetworkAdvice = "If the FHIR server really is on a private network, set Fhir:AllowPrivateNetwork for this source.";

    public string Url { get; } = url;
    public string Reason { get; } = reason;
}
