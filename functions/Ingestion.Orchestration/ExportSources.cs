using System.Collections.Concurrent;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Sources;

namespace Ingestion.Orchestration;

/// <summary>
/// Builds a run's source from its input: one <see cref="BulkExportClient"/> per FHIR base URL (sharing the HTTP
/// client and the SMART token provider; credentials from configuration, never from the run), or a landed folder.
/// </summary>
public sealed class ExportSources(HttpClient http, BulkExportClientOptions template, SmartBackendOptions? smart, PipelineOptions pipeline) : IExportSourceFactory, IDisposable
{
    private readonly ConcurrentDictionary<string, IExportSource> _servers = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _owned = [];

    public IExportSource Create(ExportRunInput input) => input.SourceKind switch
    {
        ExportSourceKind.LandedFolder => new LandedFolderSource(input.LandedLocation ?? throw new InvalidOperationException($"Source '{input.SourceId}' has no landed folder."), pipeline.LandedFileChunkBytes),
        ExportSourceKind.LandedBlobContainer => throw new NonRetryableActivityException($"Source '{input.SourceId}': landed blob containers are not supported by this build; land the export in a folder."),
        _ => _servers.GetOrAdd(input.FhirBaseUrl ?? throw new InvalidOperationException($"Source '{input.SourceId}' has no FHIR base URL."), CreateServer),
    };

    private IExportSource CreateServer(string baseUrl)
    {
        var options = new BulkExportClientOptions
        {
            BaseUrl = new Uri(baseUrl),
            AllowInsecureHttp = template.AllowInsecureHttp,
            AllowedFileHosts = template.AllowedFileHosts,
            RetryAfterFloor = template.RetryAfterFloor,
            RetryAfterCeiling = template.RetryAfterCeiling,
            BackoffBase = template.BackoffBase,
            BackoffCeiling = template.BackoffCeiling,
            OverallTimeout = template.OverallTimeout,
            RequestTimeout = template.RequestTimeout,
            DownloadIdleTimeout = template.DownloadIdleTimeout,
            MaxKickOffRetries = template.MaxKickOffRetries,
            MaxConsecutivePollFailures = template.MaxConsecutivePollFailures,
            MaxDownloadAttempts = template.MaxDownloadAttempts,
            ExpiredFileRetries = template.ExpiredFileRetries,
            MaxConcurrentDownloads = template.MaxConcurrentDownloads,
            MaxLineBytes = template.MaxLineBytes,
            MaxRedirects = template.MaxRedirects,
        };
        IAccessTokenProvider? tokens = null;
        if (smart is { ClientId: not null })
        {
            var provider = new SmartBackendTokenProvider(http, smart);
            lock (_owned) _owned.Add(provider);
            tokens = provider;
        }
        return new FhirServerSource(new BulkExportClient(http, options, tokens));
    }

    public void Dispose()
    {
        lock (_owned) foreach (var d in _owned) d.Dispose();
    }
}
