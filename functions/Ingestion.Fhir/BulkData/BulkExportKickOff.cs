using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.BulkData;

/// <summary>Builds the kick-off request of a <see cref="BulkExportRequest"/>: the URL and query (GET) or a Parameters body (POST).</summary>
internal static class BulkExportKickOff
{
    public const string FhirJson = "application/fhir+json";

    public static Uri Endpoint(Uri baseUrl, BulkExportRequest request) => new(baseUrl, request.Level switch
    {
        BulkExportLevel.System => "$export",
        BulkExportLevel.Patient => "Patient/$export",
        BulkExportLevel.Group when !string.IsNullOrWhiteSpace(request.GroupId) => $"Group/{Uri.EscapeDataString(request.GroupId)}/$export",
        BulkExportLevel.Group => throw new ArgumentException("A group-level export needs a GroupId.", nameof(request)),
        _ => throw new ArgumentOutOfRangeException(nameof(request), request.Level, "Unknown export level."),
    });

    /// <summary>The patient parameter exists only in the POST form (spec), so a request naming patients is POSTed.</summary>
    public static bool UsesPost(BulkExportRequest request) => request.UsePost || request.Patients.Count > 0;

    public static HttpRequestMessage Create(Uri endpoint, BulkExportRequest request)
    {
        HttpRequestMessage message;
        if (UsesPost(request))
        {
            message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(ParametersBody(request)) };
            message.Content.Headers.ContentType = new MediaTypeHeaderValue(FhirJson);
        }
        else
        {
            message = new HttpRequestMessage(HttpMethod.Get, WithQuery(endpoint, request));
        }
        // Exactly this string: some servers reject a list or a charset parameter.
        message.Headers.TryAddWithoutValidation("Accept", FhirJson);
        message.Headers.TryAddWithoutValidation("Prefer", request.Lenient ? "respond-async, handling=lenient" : "respond-async");
        return message;
    }

    private static Uri WithQuery(Uri endpoint, BulkExportRequest request)
    {
        var query = new StringBuilder();
        void Add(string name, string value)
        {
            query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
        if (!string.IsNullOrEmpty(request.OutputFormat)) Add("_outputFormat", request.OutputFormat);
        if (request.Since is { } since) Add("_since", Instant(since));
        if (request.Until is { } until) Add("_until", Instant(until));
        if (request.Types.Count > 0) Add("_type", string.Join(',', request.Types));
        if (request.Elements.Count > 0) Add("_elements", string.Join(',', request.Elements));
        foreach (var filter in request.TypeFilters) Add("_typeFilter", filter);
        if (request.IncludeAssociatedData.Count > 0) Add("includeAssociatedData", string.Join(',', request.IncludeAssociatedData));
        if (!string.IsNullOrEmpty(request.OrganizeOutputBy)) Add("organizeOutputBy", request.OrganizeOutputBy);
        if (request.AllowPartialManifests) Add("allowPartialManifests", "true");
        return new Uri(endpoint.AbsoluteUri + query);
    }

    private static byte[] ParametersBody(BulkExportRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("resourceType", "Parameters");
            json.WriteStartArray("parameter");
            void Parameter(string name, string valueKind, string value)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString(valueKind, value);
                json.WriteEndObject();
            }
            if (!string.IsNullOrEmpty(request.OutputFormat)) Parameter("_outputFormat", "valueString", request.OutputFormat);
            if (request.Since is { } since) Parameter("_since", "valueInstant", Instant(since));
            if (request.Until is { } until) Parameter("_until", "valueInstant", Instant(until));
            foreach (var type in request.Types) Parameter("_type", "valueString", type);
            if (request.Elements.Count > 0) Parameter("_elements", "valueString", string.Join(',', request.Elements));
            foreach (var filter in request.TypeFilters) Parameter("_typeFilter", "valueString", filter);
            foreach (var associated in request.IncludeAssociatedData) Parameter("includeAssociatedData", "valueCode", associated);
            if (!string.IsNullOrEmpty(request.OrganizeOutputBy)) Parameter("organizeOutputBy", "valueString", request.OrganizeOutputBy);
            if (request.AllowPartialManifests)
            {
                json.WriteStartObject();
                json.WriteString("name", "allowPartialManifests");
                json.WriteBoolean("valueBoolean", true);
                json.WriteEndObject();
            }
            foreach (var patient in request.Patients)
            {
                json.WriteStartObject();
                json.WriteString("name", "patient");
                json.WriteStartObject("valueReference");
                json.WriteString("reference", patient.Contains('/') ? patient : "Patient/" + patient);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static string Instant(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
}
