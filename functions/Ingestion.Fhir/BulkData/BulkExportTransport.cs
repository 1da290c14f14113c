using System.Net;
using System.Net.Http.Headers;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// Sends the client's HTTP requests over the handler <see cref="FhirHttpHandlerFactory"/> builds: a per-request
/// timeout, the bearer token (refreshed once on 401, and only ever sent to the FHIR server's own origin), and
/// redirects followed by hand, each hop checked by the <see cref="BulkExportUrlPolicy"/> and capped at
/// <see cref="BulkExportClientOptions.MaxRedirects"/>. Retries are not made here except for the kick-off's narrow
/// policy: polls are retried by the caller's schedule and downloads by <see cref="ResumingDownloadStream"/>, so each
/// operation has exactly one retry policy.
/// </summary>
internal sealed class BulkExportTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly BulkExportClientOptions _options;
    private readonly IAccessTokenProvider? _tokens;
    private readonly BulkExportUrlPolicy _policy;
    private readonly ResiliencePipeline<HttpResponseMessage> _once;
    private readonly ResiliencePipeline<HttpResponseMessage> _kickOff;

    public BulkExportTransport(HttpMessageHandler handler, BulkExportClientOptions options, IAccessTokenProvider? tokens, BulkExportUrlPolicy policy, BulkExportRetryDelay delay)
    {
        // Our per-request timeout rules; HttpClient's own would cut long downloads.
        _http = new HttpClient(new FhirHttpSpanHandler(handler), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _options = options;
        _tokens = tokens;
        _policy = policy;
        _once = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider }.AddTimeout(options.RequestTimeout).Build();
        _kickOff = BuildKickOff(options, delay);
    }

    public BulkExportUrlPolicy Policy => _policy;

    /// <summary>
    /// Sends once (no retry) a request built by <paramref name="build"/> for <paramref name="url"/>; the caller owns the
    /// response. <paramref name="operation"/> names its HTTP span (<see cref="FhirHttpTelemetry.Operation"/>).
    /// </summary>
    public Task<HttpResponseMessage> SendAsync(string operation, Uri url, Func<Uri, HttpRequestMessage> build, bool withToken, CancellationToken cancellationToken) =>
        Execute(_once, operation, url, build, withToken, cancellationToken);

    /// <summary>Sends a kick-off (or DELETE) with the kick-off retry policy.</summary>
    public Task<HttpResponseMessage> SendKickOffAsync(string operation, Uri url, Func<Uri, HttpRequestMessage> build, CancellationToken cancellationToken) =>
        Execute(_kickOff, operation, url, build, withToken: true, cancellationToken);

    private Task<HttpResponseMessage> Execute(ResiliencePipeline<HttpResponseMessage> pipeline, string operation, Uri url, Func<Uri, HttpRequestMessage> build, bool withToken, CancellationToken cancellationToken) =>
        pipeline.ExecuteAsync(
            static async (state, ct) => await state.self.SendOnceAsync(state.operation, state.url, state.build, state.withToken, ct).ConfigureAwait(false),
            (self: this, operation, url, build, withToken), cancellationToken).AsTask();

    private async Task<HttpResponseMessage> SendOnceAsync(string operation, Uri url, Func<Uri, HttpRequestMessage> build, bool withToken, CancellationToken cancellationToken)
    {
        var target = url;
        var refreshed = false;
        var redirects = 0;
        var asGet = false;
        while (true)
        {
            using var request = build(target);
            request.Options.Set(FhirHttpTelemetry.Operation, operation);
            if (asGet)
            {
                request.Method = HttpMethod.Get;
                request.Content = null;
            }
            // Like a browser, never carry the FHIR server's token to another origin, whoever asks for it.
            var sendToken = withToken && _tokens is not null && _policy.IsSameOrigin(target);
            if (sendToken)
            {
                var token = await _tokens!.GetTokenAsync(false, cancellationToken).ConfigureAwait(false);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (RefusedAddressException.Find(e) is { } refused)
            {
                throw new BulkExportUnsafeUrlException(UrlRedaction.Redact(target), "its host resolves to " + refused.Reason, BulkExportUnsafeUrlException.PrivateNetworkAdvice);
            }
            if (response.StatusCode == HttpStatusCode.Unauthorized && sendToken && !refreshed)
            {
                // The token expired or was revoked early: get a fresh one once, then let a second 401 through.
                response.Dispose();
                await _tokens!.GetTokenAsync(true, cancellationToken).ConfigureAwait(false);
                refreshed = true;
                continue;
            }
            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (++redirects > _options.MaxRedirects)
                    throw new BulkExportException($"Gave up after {_options.MaxRedirects} redirects starting at {UrlRedaction.Redact(url)} (Fhir:MaxRedirects).");
                var next = _policy.Check(location.OriginalString, target);
                // 303 See Other means "GET the result there" whatever the original method (RFC 9110 §15.4.4).
                if (response.StatusCode == HttpStatusCode.SeeOther) asGet = true;
                target = next;
                continue;
            }
            return response;
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>True when a failed send cannot have reached the server (no connection was made), so repeating it is safe.</summary>
    public static bool NeverSent(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
        && RefusedAddressException.Find(e) is null;

    private static ResiliencePipeline<HttpResponseMessage> BuildKickOff(BulkExportClientOptions options, BulkExportRetryDelay delay)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider };
        if (options.MaxKickOffRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxKickOffRetries,
                // A kick-off POST/GET starts an export: repeat it only when the server surely did not start one
                // (no connection) or said so itself (429/503 with Retry-After). Never on a timeout.
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>(NeverSent)
                    .HandleResult(r => r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
                        && r.Headers.NonValidated.Contains("Retry-After")),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    delay.FromRetryAfter(args.Outcome.Result?.Headers) ?? delay.Backoff(args.AttemptNumber)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }
        builder.AddTimeout(options.RequestTimeout);
        return builder.Build();
    }

    public void Dispose() => _http.Dispose();
}
