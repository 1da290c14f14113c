using System.Diagnostics;

namespace Ingestion.Fhir.Net;

/// <summary>
/// The FHIR clients' HTTP client spans (<see cref="SourceName"/>; hosts export it next to the pipeline's source):
/// one span per request sent to the EHR or its token endpoint, a child of whatever span is current (the run's
/// kick-off, poll or file span). The URL is written the <see cref="UrlRedaction"/> way: no query (signatures), no
/// userinfo; no header is recorded (tokens).
/// </summary>
public static class FhirHttpTelemetry
{
    public const string SourceName = "Ingestion.Fhir.Http";

    /// <summary>What a request is for (kick-off, poll, download, cancel, token, smart-configuration): the span's <c>ingestion.http.operation</c>.</summary>
    public static readonly HttpRequestOptionsKey<string> Operation = new("ingestion.http.operation");

    // ActivitySource is thread-safe and stateless for its users: the usual one-per-library instance.
    internal static readonly ActivitySource Source = new(SourceName);
}
