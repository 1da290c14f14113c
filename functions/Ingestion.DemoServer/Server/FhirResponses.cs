using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Ingestion.DemoServer;

/// <summary>Writes FHIR JSON responses: OperationOutcomes and arbitrary documents.</summary>
internal static class FhirResponses
{
    public const string FhirJson = "application/fhir+json";

    /// <summary>An OperationOutcome with one issue; <paramref name="diagnostics"/> never carries patient data.</summary>
    public static Task OperationOutcomeAsync(HttpContext context, int status, string code, string diagnostics, string severity = "error") =>
        JsonAsync(context, status, json =>
        {
            json.WriteStartObject();
            json.WriteString("resourceType", "OperationOutcome");
            json.WriteStartArray("issue");
            json.WriteStartObject();
            json.WriteString("severity", severity);
            json.WriteString("code", code);
            json.WriteStartObject("details");
            json.WriteString("text", diagnostics);
            json.WriteEndObject();
            json.WriteString("diagnostics", diagnostics);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        });

    public static async Task JsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write, string contentType = FhirJson)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter.AsStream(), new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        write(json);
        await json.FlushAsync(context.RequestAborted);
    }
}
