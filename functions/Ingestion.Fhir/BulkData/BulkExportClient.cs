using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.Net;
using Ingestion.Fhir.Ndjson;
using Polly.Timeout;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// FHIR Bulk Data Access (IG 2.0.0 + STU3 additions) client: kick-off, status polling, manifest, streaming file
/// downloads and cancel. It persists nothing itself: the <see cref="BulkExportJob"/> it returns is the state a caller
/// saves to resume polling after a restart. It owns its HTTP stack (<see cref="FhirHttpHandlerFactory"/>), so no
/// caller can make it follow redirects blindly, reach internal addresses or wait forever.
/// </summary>
public sealed class BulkExportClient : IDisposable
{
    private const string Ndjson = "application/fhir+ndjson";
    private readonly BulkExportClientOptions _options;
    private readonly Uri _baseUrl;
    private readonly BulkExportRetryDelay _delay;
    private readonly BulkExportTransport _transport;
    private readonly SemaphoreSlim _downloads;

    public BulkExportClient(BulkExportClientOptions options, IAccessTokenProvider? tokenProvider = null)
        : this(CreateHandler(options), options, tokenProvider)
    {
    }

    /// <summary>For tests that script the server with an in-memory handler; production code cannot pick the handler.</summary>
    internal BulkExportClient(HttpMessageHandler handler, BulkExportClientOptions options, IAccessTokenProvider? tokenProvider = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _baseUrl = options.RequireBaseUrl();
        _delay = new BulkExportRetryDelay(options);
        var policy = new BulkExportUrlPolicy(_baseUrl, options.AllowInsecureHttp, options.AllowedFileHosts);
        _transport = new BulkExportTransport(handler, options, tokenProvider, policy, _delay);
        _downloads = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentDownloads));
    }

    private static SocketsHttpHandler CreateHandler(BulkExportClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return FhirHttpHandlerFactory.Create(new FhirHttpHandlerOptions
        {
            AllowPrivateNetwork = options.AllowPrivateNetwork,
            ConnectTimeout = options.ConnectTimeout,
            ResolveHost = options.ResolveHost,
        });
    }

    /// <summary>Starts an export. A 429 or transient error is retried as the server says; a refusal throws <see cref="BulkExportKickOffException"/>.</summary>
    public async Task<BulkExportJob> KickOffAsync(BulkExportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpoint = BulkExportKickOff.Endpoint(_baseUrl, request);
        HttpResponseMessage response;
        try
        {
            response = await _transport.SendKickOffAsync("kick-off", endpoint, target => BulkExportKickOff.Create(target, request), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new BulkExportKickOffException($"The FHIR server at {UrlRedaction.Redact(_baseUrl)} could not be reached for the export kick-off ({e.HttpRequestError}). Check the base URL and the network.", innerException: e);
        }
        catch (TimeoutRejectedException e)
        {
            // Not retried: the server may have received the request and started an export.
            throw new BulkExportKickOffException($"The FHIR server at {UrlRedaction.Redact(_baseUrl)} did not answer the export kick-off within {_options.RequestTimeout}. It may have started an export anyway; it was not repeated so as not to start two.", innerException: e);
        }
        using (response)
        {
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                var outcome = await OperationOutcomeText.ReadAsync(response, cancellationToken).ConfigureAwait(false);
                var advice = response.StatusCode switch
                {
                    HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "Check the client id, key and scopes registered with the server.",
                    HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError => "The server kept failing or throttling after the retries; try again later.",
                    HttpStatusCode.OK => "The server answered synchronously, which the Bulk Data spec does not allow; check that the URL is a FHIR Bulk Data endpoint.",
                    _ => "Check the export parameters (level, _type, _since, _typeFilter) against what the server supports.",
                };
                throw new BulkExportKickOffException($"The server refused the export kick-off at {endpoint.AbsolutePath}. {advice}", response.StatusCode, outcome.Text);
            }
            var location = response.Content.Headers.ContentLocation ?? response.Headers.Location;
            if (location is null)
                throw new BulkExportKickOffException("The server accepted the kick-off but sent no Content-Location status URL, so the export cannot be followed.", response.StatusCode);
            var statusUrl = _transport.Policy.Check(location.OriginalString, endpoint);
            var now = _options.TimeProvider.GetUtcNow();
            return new BulkExportJob(statusUrl.AbsoluteUri, now)
            {
                NextPollAt = now + Max(_delay.FromRetryAfter(response.Headers) ?? _options.RetryAfterFloor, _delay.PollSpacing),
            };
        }
    }

    /// <summary>
    /// Sends ONE status request. The returned job says when to poll next; it is complete when the manifest (all its
    /// pages) has arrived. Transient failures count in <see cref="BulkExportJob.ConsecutiveFailures"/> and do not throw
    /// until <see cref="BulkExportClientOptions.MaxConsecutivePollFailures"/> is exceeded.
    /// </summary>
    public async Task<BulkExportPollResult> PollAsync(BulkExportJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = _options.TimeProvider.GetUtcNow();
        if (now - job.KickedOffAt > _options.OverallTimeout)
            throw new BulkExportTimeoutException($"The export kicked off at {job.KickedOffAt:O} has not completed within {_options.OverallTimeout}. Cancel it (DELETE {UrlRedaction.Redact(job.StatusUrl)}) and start a new one, or raise Fhir:OverallTimeout.");
        var url = _transport.Policy.Check(job.ManifestPageUrl ?? job.StatusUrl);
        HttpResponseMessage response;
        try
        {
            response = await _transport.SendAsync("poll", url, target => FhirJsonGet(target), withToken: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException && RefusedAddressException.Find(e) is null)
        {
            return Transient(job, null, null, $"{e.GetType().Name} on the status request", e);
        }
        using (response)
        {
            var progress = response.Headers.TryGetValues("X-Progress", out var values) ? string.Join(", ", values) : null;
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                var next = job with
                {
                    PollAttempt = job.PollAttempt + 1,
                    ConsecutiveFailures = 0,
                    LastProgress = progress ?? job.LastProgress,
                    NextPollAt = now + _delay.NextPoll(response.Headers, job.PollAttempt),
                };
                return new BulkExportPollResult { Job = next, Progress = progress };
            }
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var page = await ReadManifestAsync(response, url, cancellationToken).ConfigureAwait(false);
                var nextLink = page.Link.FirstOrDefault(l => string.Equals(l.Relation, "next", StringComparison.OrdinalIgnoreCase));
                var pages = job.ManifestPages.Append(page with { Link = [] }).ToList();
                CheckFileCount(pages, url);
                if (nextLink is not null)
                {
                    var nextPage = _transport.Policy.Check(nextLink.Url, url);
                    return new BulkExportPollResult
                    {
                        Job = job with { ManifestPages = pages, ManifestPageUrl = nextPage.AbsoluteUri, ConsecutiveFailures = 0, PollAttempt = job.PollAttempt + 1, NextPollAt = now },
                        Progress = progress,
                    };
                }
                return new BulkExportPollResult
                {
                    Manifest = Merge(pages),
                    Job = job with { ManifestPages = [], ManifestPageUrl = null, ConsecutiveFailures = 0, NextPollAt = null, LastProgress = progress ?? job.LastProgress },
                    Progress = progress,
                };
            }
            var outcome = await OperationOutcomeText.ReadAsync(response, cancellationToken).ConfigureAwait(false);
            if (BulkExportTransport.IsTransient(response.StatusCode) && outcome.IsTransient)
                return Transient(job, response, outcome.Text, $"HTTP {(int)response.StatusCode}", null);
            var what = response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone
                ? "The export's status URL is gone (the server expired or deleted the job); start a new export."
                : "The export failed on the server; fix what the server reports and start a new export.";
            throw new BulkExportException(what, response.StatusCode, outcome.Text);
        }
    }

    /// <summary>Polls until the manifest arrives, waiting as each status answer says (the loop the CLI uses).</summary>
    public async Task<BulkExportManifest> WaitForCompletionAsync(BulkExportJob job, IProgress<BulkExportPollResult>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        while (true)
        {
            var wait = (job.NextPollAt ?? _options.TimeProvider.GetUtcNow()) - _options.TimeProvider.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            var result = await PollAsync(job, cancellationToken).ConfigureAwait(false);
            progress?.Report(result);
            if (result.Manifest is { } manifest) return manifest;
            job = result.Job;
        }
    }

    /// <summary>
    /// Streams one file's lines, checked against the manifest (resourceType per line, line count at the end). Dropped
    /// connections are resumed inside without delivering a line twice. An invalid line comes back with
    /// <see cref="NdjsonLine.Error"/> set and the rest of the file still flows.
    /// </summary>
    public async IAsyncEnumerable<NdjsonLine> ReadFileAsync(BulkExportManifest manifest, BulkExportFile file, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = await OpenFileAsync(manifest, file, cancellationToken).ConfigureAwait(false);
        var readerOptions = new NdjsonReaderOptions { MaxLineBytes = _options.MaxLineBytes, ExpectedResourceType = file.Type };
        long lines = 0;
        long lastLine = 0;
        await foreach (var line in NdjsonReader.ReadAsync(stream, readerOptions, cancellationToken).ConfigureAwait(false))
        {
            lines++;
            // Stop at the first line past the announced count: a body that never ends must not be read forever.
            if (file.Count is { } announced && lines > announced)
                throw new BulkExportFileException(file.Url, file.Type, line.LineNumber,
                    $"the file holds more resources than the {announced} the manifest announced; the download was stopped there and the file is incomplete. Run the export again.");
            lastLine = line.LineNumber;
            yield return line;
        }
        if (file.Count is { } expected && expected != lines)
            throw new BulkExportFileException(file.Url, file.Type, lastLine,
                $"the file holds {lines} resources but the manifest announced {expected}; the export is incomplete or the server miscounted. Run the export again.");
    }

    /// <summary>
    /// Opens one file as a decoded (gunzipped) byte stream that resumes by itself after dropped connections, for
    /// landing files as they are. The stream holds one of the <see cref="BulkExportClientOptions.MaxConcurrentDownloads"/>
    /// slots until disposed.
    /// </summary>
    public async Task<Stream> OpenFileAsync(BulkExportManifest manifest, BulkExportFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(file);
        var url = _transport.Policy.Check(file.Url);
        await _downloads.WaitAsync(cancellationToken).ConfigureAwait(false);
        var stream = new ResumingDownloadStream(
            (offset, ct) => OpenAtAsync(url, file, manifest.RequiresAccessToken, offset, ct),
            file, _options, _delay, new DownloadSlot(_downloads));
        try
        {
            await stream.StartAsync(cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Cancels a running export or tells the server a finished one's files may be deleted. A job already gone is fine.</summary>
    public async Task DeleteAsync(BulkExportJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var url = _transport.Policy.Check(job.StatusUrl);
        using var response = await _transport.SendKickOffAsync("cancel", url, target =>
        {
            var request = new HttpRequestMessage(HttpMethod.Delete, target);
            request.Headers.TryAddWithoutValidation("Accept", BulkExportKickOff.FhirJson);
            return request;
        }, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode || response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone) return;
        var outcome = await OperationOutcomeText.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        throw new BulkExportException("The server refused to cancel or clean up the export.", response.StatusCode, outcome.Text);
    }

    private BulkExportPollResult Transient(BulkExportJob job, HttpResponseMessage? response, string? serverText, string what, Exception? error)
    {
        var failures = job.ConsecutiveFailures + 1;
        if (failures > _options.MaxConsecutivePollFailures)
            throw new BulkExportException(
                $"The export's status request failed {failures} times in a row ({what}). The server may be down; the job can be resumed later from its saved state.",
                response?.StatusCode, serverText, error);
        var now = _options.TimeProvider.GetUtcNow();
        var next = job with
        {
            PollAttempt = job.PollAttempt + 1,
            ConsecutiveFailures = failures,
            NextPollAt = now + _delay.NextPoll(response?.Headers, failures),
        };
        return new BulkExportPollResult { Job = next, Progress = job.LastProgress };
    }

    private async Task<BulkExportManifest> ReadManifestAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        BulkExportManifest? manifest;
        var where = UrlRedaction.Redact(url);
        try
        {
            var tooLarge = () => new BulkExportException($"The completion manifest at {where} is larger than {_options.MaxManifestBytes} bytes (Fhir:MaxManifestBytes); a server with that many files should page its manifest.");
            await using var body = new BoundedReadStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _options.MaxManifestBytes, tooLarge);
            manifest = await JsonSerializer.DeserializeAsync<BulkExportManifest>(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new BulkExportException($"The completion manifest at {where} is not valid JSON or lacks transactionTime/request ({e.Path}).", response.StatusCode, null, e);
        }
        if (manifest is null) throw new BulkExportException($"The completion manifest at {where} is empty.", response.StatusCode);
        CheckFileCount([manifest], url);
        // Check every file URL now: a manifest that points anywhere unsafe fails the export before any download.
        foreach (var file in manifest.Output.Concat(manifest.Error).Concat(manifest.Deleted))
        {
            var fileUrl = _transport.Policy.Check(file.Url);
            // The token goes only to the FHIR server's origin; a manifest demanding it elsewhere is refused, not obeyed.
            if (manifest.RequiresAccessToken && !_transport.Policy.IsSameOrigin(fileUrl))
                throw new BulkExportUnsafeUrlException(UrlRedaction.Redact(fileUrl), "the manifest requires the access token for a file on another origin, and the token is only ever sent to the FHIR server",
                    "Ask the server's operator to serve files from its own origin or with signed URLs (requiresAccessToken false).");
        }
        return manifest;
    }

    private void CheckFileCount(IReadOnlyList<BulkExportManifest> pages, Uri url)
    {
        var files = pages.Sum(p => (long)p.Output.Count + p.Error.Count + p.Deleted.Count);
        if (files > _options.MaxManifestFiles)
            throw new BulkExportException($"The completion manifest at {UrlRedaction.Redact(url)} lists {files} files, more than Fhir:MaxManifestFiles ({_options.MaxManifestFiles}); raise it if the export is really that large.");
    }

    private static BulkExportManifest Merge(IReadOnlyList<BulkExportManifest> pages) =>
        pages.Count == 1 ? pages[0] : pages[0] with
        {
            RequiresAccessToken = pages.Any(p => p.RequiresAccessToken),
            Output = pages.SelectMany(p => p.Output).ToList(),
            Error = pages.SelectMany(p => p.Error).ToList(),
            Deleted = pages.SelectMany(p => p.Deleted).ToList(),
        };

    private static HttpRequestMessage FhirJsonGet(Uri target)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.TryAddWithoutValidation("Accept", BulkExportKickOff.FhirJson);
        return request;
    }

    /// <summary>
    /// Opens the file at a decoded byte offset (identity + Range to resume, else gzip from the start), with one request
    /// (plus one more when the server ignores the range). Transient answers throw for the download's retry policy.
    /// </summary>
    private Task<(Stream Body, long StartsAt)> OpenAtAsync(Uri url, BulkExportFile file, bool withToken, long offset, CancellationToken cancellationToken) =>
        OpenOnceAsync(url, file, withToken, offset, cancellationToken);

    private async Task<(Stream Body, long StartsAt)> OpenOnceAsync(Uri url, BulkExportFile file, bool withToken, long offset, CancellationToken cancellationToken)
    {
        var response = await _transport.SendAsync("download", url, target =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, target);
            request.Headers.TryAddWithoutValidation("Accept", Ndjson);
            if (offset > 0)
            {
                // Offsets count decoded bytes, so a resumed request asks for the identity encoding.
                request.Headers.Range = new RangeHeaderValue(offset, null);
            }
            else if (_options.RequestCompressedFiles)
            {
                request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
                request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("deflate"));
            }
            return request;
        }, withToken, cancellationToken).ConfigureAwait(false);

        var encoded = response.Content.Headers.ContentEncoding.Count > 0;
        if (response.StatusCode == HttpStatusCode.PartialContent && offset > 0)
        {
            if (!encoded && response.Content.Headers.ContentRange?.From == offset)
                return (await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), offset);
            response.Dispose();
            return await OpenOnceAsync(url, file, withToken, 0, cancellationToken).ConfigureAwait(false);
        }
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
        {
            response.Dispose();
            return await OpenOnceAsync(url, file, withToken, 0, cancellationToken).ConfigureAwait(false);
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            using (response)
            {
                if (BulkExportTransport.IsTransient(response.StatusCode) || response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                    throw new BulkExportTransientResponseException(response.StatusCode, _delay.FromRetryAfter(response.Headers));
                var reason = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    ? "the server refused access to the file; check the token's scopes"
                    : "the server did not deliver the file";
                throw new BulkExportFileException(file.Url, file.Type, null, reason, response.StatusCode);
            }
        }
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return (Decode(body, response.Content.Headers.ContentEncoding), 0);
    }

    private static Stream Decode(Stream body, ICollection<string> encodings)
    {
        // Content-Encoding lists codings in the order applied; undo them in reverse.
        foreach (var coding in encodings.Reverse())
        {
            body = coding.ToLowerInvariant() switch
            {
                "gzip" or "x-gzip" => new GZipStream(body, CompressionMode.Decompress),
                "deflate" => new ZLibStream(body, CompressionMode.Decompress),
                "br" => new BrotliStream(body, CompressionMode.Decompress),
                "identity" => body,
                _ => throw new BulkExportException($"The server sent the file with an unsupported Content-Encoding '{coding}'."),
            };
        }
        return body;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Releases the connections. Open file streams must be disposed first.</summary>
    public void Dispose() => _transport.Dispose();

    private sealed class DownloadSlot(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) semaphore.Release();
        }
    }
}
