using System.Net;

namespace Ingestion.Fhir.BulkData;

/// <summary>Options of <see cref="BulkExportClient"/>, bound from the configuration section "Fhir".</summary>
public sealed class BulkExportClientOptions
{
    public const string SectionName = "Fhir";

    /// <summary>A copy of these settings for another server (one client per source; the safety settings travel with it).</summary>
    public BulkExportClientOptions ForBaseUrl(Uri baseUrl)
    {
        var copy = (BulkExportClientOptions)MemberwiseClone();
        copy.BaseUrl = baseUrl;
        return copy;
    }

    /// <summary>The FHIR server's base URL (e.g. https://ehr.example.org/fhir/). Required.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Allow http:// base, status and file URLs. Only for a local development server.</summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>
    /// Allow connections to loopback and private-network addresses (an on-premises EHR, the demo server, tests). Off by
    /// default: a manifest or redirect naming an internal host, or a name resolving to one, is refused at connect time.
    /// Link-local and cloud metadata addresses are refused even when this is on.
    /// </summary>
    public bool AllowPrivateNetwork { get; set; }

    /// <summary>Hosts other than the FHIR base's that manifest file URLs may point at (e.g. the server's blob storage host).</summary>
    public IList<string> AllowedFileHosts { get; set; } = new List<string>();

    /// <summary>Shortest wait between status requests, whatever Retry-After says.</summary>
    public TimeSpan RetryAfterFloor { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between status requests: absurd Retry-After values are clamped to it.</summary>
    public TimeSpan RetryAfterCeiling { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>First backoff delay when the server gives no Retry-After; doubles per attempt, with jitter.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest backoff delay when the server gives no Retry-After.</summary>
    public TimeSpan BackoffCeiling { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Give up an export that has not completed this long after kick-off.</summary>
    public TimeSpan OverallTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Timeout of one HTTP request (redirects and a token refresh included) until its response headers arrive.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Time to establish one TCP + TLS connection.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Status requests per minute the client stays under, whatever Retry-After says (servers rate-limit polling).</summary>
    public int MaxStatusRequestsPerMinute { get; set; } = 20;

    /// <summary>A download that delivers no byte for this long is treated as a dropped connection and resumed.</summary>
    public TimeSpan DownloadIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Retries of a kick-off, only where the server cannot have started an export: the connection failed before the
    /// request was sent, or a 429/503 came with Retry-After. A timeout is never retried (the export may be running).
    /// </summary>
    public int MaxKickOffRetries { get; set; } = 8;

    /// <summary>Consecutive transient status failures (5xx, 429, network) tolerated before the export is declared failed.</summary>
    public int MaxConsecutivePollFailures { get; set; } = 10;

    /// <summary>
    /// Requests made for one file in a row without a byte of progress (the first one included) before the download
    /// fails: 6 means at most 6 requests. Transient statuses, dropped connections and idle timeouts all count.
    /// </summary>
    public int MaxDownloadAttempts { get; set; } = 6;

    /// <summary>How many of those attempts may be answered 404/410 (briefly missing files) before the file is declared expired.</summary>
    public int ExpiredFileRetries { get; set; } = 2;

    /// <summary>Files downloaded at the same time through one client.</summary>
    public int MaxConcurrentDownloads { get; set; } = 4;

    /// <summary>Ask for gzip/deflate file bodies. Worth it over a WAN; on loopback or a fast LAN compression costs more CPU than it saves.</summary>
    public bool RequestCompressedFiles { get; set; } = true;

    /// <summary>Lines longer than this are reported and skipped.</summary>
    public int MaxLineBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Decoded bytes a file may hold per resource the manifest announces (plus one <see cref="MaxLineBytes"/>): an
    /// endless body or a decompression bomb stops there instead of filling the disk.
    /// </summary>
    public long MaxBytesPerResource { get; set; } = 4 * 1024 * 1024;

    /// <summary>Decoded bytes of any one file, whatever its count (and the cap for files announced without one).</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024 * 1024;

    /// <summary>Bytes of one manifest page (JSON).</summary>
    public long MaxManifestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Files (output + error + deleted, all pages) one manifest may list.</summary>
    public int MaxManifestFiles { get; set; } = 5000;

    /// <summary>Resolves host names (default: system DNS); resolved addresses are still checked, so this cannot open anything up. For tests.</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>>? ResolveHost { get; set; }

    /// <summary>Redirects followed (each target checked like a manifest URL) before giving up.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>Clock used for Retry-After dates, backoff and timeouts (tests replace it).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal Uri RequireBaseUrl()
    {
        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri)
            throw new InvalidOperationException("Fhir:BaseUrl is not set: give the FHIR server's absolute base URL (e.g. https://ehr.example.org/fhir/).");
        var text = BaseUrl.AbsoluteUri;
        return text.EndsWith('/') ? BaseUrl : new Uri(text + "/");
    }
}
