using System.Collections.Concurrent;
using System.Net;

namespace Ingestion.Fhir.Tests.BulkData;

/// <summary>
/// An in-test FHIR server: each request goes to <see cref="Respond"/>; every request is recorded (method, URL,
/// headers, body) so tests can assert on what the client sent.
/// </summary>
internal sealed class FakeFhirHandler(Func<FakeFhirHandler.Request, HttpResponseMessage> respond) : HttpMessageHandler
{
    public sealed record Request(HttpMethod Method, Uri Url, IReadOnlyDictionary<string, string> Headers, string? Body)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
    }

    public ConcurrentQueue<Request> Requests { get; } = new();

    public Func<Request, HttpResponseMessage> Respond { get; set; } = respond;

    public int Count(Func<Request, bool> predicate) => Requests.Count(predicate);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        string? body = null;
        if (request.Content is not null)
        {
            body = await request.Content.ReadAsStringAsync(cancellationToken);
            foreach (var h in request.Content.Headers) headers[h.Key] = string.Join(", ", h.Value);
        }
        var recorded = new Request(request.Method, request.RequestUri!, headers, body);
        Requests.Enqueue(recorded);
        var response = Respond(recorded);
        response.RequestMessage = request;
        return response;
    }

    public static HttpResponseMessage Status(HttpStatusCode status) => new(status) { Content = new ByteArrayContent([]) };

    public static HttpResponseMessage Json(HttpStatusCode status, string json)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json) };
        response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/fhir+json");
        return response;
    }

    public static HttpResponseMessage Outcome(HttpStatusCode status, string code, string diagnostics) =>
        Json(status, $$"""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"{{code}}","diagnostics":"{{diagnostics}}"}]}""");
}
