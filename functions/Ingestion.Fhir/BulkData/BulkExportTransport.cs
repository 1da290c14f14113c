using System.Net;
using System.Net.Http.Headers;
using Ingestion.Fhir.Auth;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// Sends the client's HTTP requests: a Polly.Core pipeline (per-attempt timeout, and for retrying calls a retry on
/// 429/5xx/network errors honouring Retry-After), the bearer token (refreshed once on 401), and redirects followed
/// only to URLs the <see cref="BulkExportUrlPolicy"/> accepts (the token never crosses to another origin).
/// </summary>
internal sealed class BulkExportTransport
{
    private readonly HttpClient _http;
    private readonly BulkExportClientOptions _options;
    private readonly IAccessTokenProvider? _tokens;
    private readonly BulkExportUrlPolicy _policy;
    private readonly ResiliencePipeline<HttpResponseMessage> _once;
    private readonly ResiliencePipeline<HttpResponseMessage> _kickOff;
    private readonly ResiliencePipeline<HttpResponseMessage> _download;

    public BulkExportTransport(HttpClient http, BulkExportClientOptions options, IAccessTokenProvider? tokens, BulkExportUrlPolicy policy, BulkExportRetryDelay delay)
    {
        _http = http;
        _options = options;
        _tokens = tokens;
        _policy = policy;
        _once = Build(options, delay, retries: 0);
        _kickOff = Build(options, delay, options.MaxKickOffRetries);
        _download = Build(options, delay, Math.Max(0, options.MaxDownloadAttempts - 1));
    }

    public BulkExportUrlPolicy Policy => _policy;

    public enum Retry { None, KickOff, Download }

    /// <summary>Sends a request built by <paramref name="build"/> for <paramref name="url"/>; the caller owns the response.</summary>
    public Task<HttpResponseMessage> SendAsync(Uri url, Func<Uri, HttpRequestMessage> build, bool withToken, Retry retry, CancellationToken cancellationToken)
    {
        var pipeline = retry switch { Retry.KickOff => _kickOff, Retry.Download => _download, _ => _once };
        return pipeline.ExecuteAsync(
            static async (state, ct) => await state.self.SendOnceAsync(state.url, state.build, state.withToken, ct).ConfigureAwait(false),
            (self: this, url, build, withToken), cancellationToken).AsTask();
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Uri url, Func<Uri, HttpRequestMessage> build, bool withToken, CancellationToken cancellationToken)
    {
        var target = url;
        var refreshed = false;
        var redirects = 0;
        var asGet = false;
        while (true)
        {
            using var request = build(target);
            if (asGet)
            {
                request.Method = HttpMethod.Get;
                request.Content = null;
            }
            var sendToken = withToken && _tokens is not null;
            if (sendToken)
            {
                var token = await _tokens!.GetTokenAsync(false, cancellationToken).ConfigureAwait(false);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
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
                    throw new BulkExportException($"Gave up after {_options.MaxRedirects} redirects starting at {url}.");
                var next = _policy.Check(location.OriginalString, target);
                // Like a browser, never carry the FHIR server's token to another origin.
                if (!_policy.IsSameOrigin(next)) withToken = false;
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

    private static ResiliencePipeline<HttpResponseMessage> Build(BulkExportClientOptions options, BulkExportRetryDelay delay, int retries)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider };
        if (retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = retries,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => IsTransient(r.StatusCode)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    delay.FromRetryAfter(args.Outcome.Result?.Headers.RetryAfter) ?? delay.Backoff(args.AttemptNumber)),
            });
        }
        builder.AddTimeout(options.RequestTimeout);
        return builder.Build();
    }
}
