using System.Diagnostics;
using System.Globalization;

namespace Ingestion.Fhir.Net;

/// <summary>
/// Wraps the FHIR clients' handler with a client span per request (<see cref="FhirHttpTelemetry"/>), each redirect
/// hop and retry its own span. Attributes follow the OpenTelemetry HTTP conventions, with <c>url.full</c> redacted
/// (scheme, host, port, path) and the operation named; the span ends when the response headers arrive, as
/// HttpClient's own spans do (a download's body streams afterwards).
/// </summary>
internal sealed class FhirHttpSpanHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(FhirHttpTelemetry.Operation, out var operation);
        using var span = FhirHttpTelemetry.Source.StartActivity(
            operation is null ? request.Method.Method : request.Method.Method + " " + operation, ActivityKind.Client);
        if (span is null) return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

        var url = request.RequestUri;
        span.SetTag("http.request.method", request.Method.Method);
        span.SetTag("url.full", UrlRedaction.Redact(url));
        if (url is { IsAbsoluteUri: true })
        {
            span.SetTag("server.address", url.Host);
            span.SetTag("server.port", url.Port);
        }
        if (operation is not null) span.SetTag("ingestion.http.operation", operation);
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            span.SetTag("http.response.status_code", status);
            if (status >= 400)
            {
                span.SetTag("error.type", status.ToString(CultureInfo.InvariantCulture));
                span.SetStatus(ActivityStatusCode.Error);
            }
            return response;
        }
        catch (Exception e)
        {
            // The type only: a message may quote a URL with its query.
            span.SetTag("error.type", e.GetType().FullName);
            span.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }
}
