using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingestion.DemoServer;

/// <summary>/metadata (CapabilityStatement) and /.well-known/smart-configuration.</summary>
internal sealed class ConformanceEndpoints(IExportSource source, bool requireAuth, Func<Uri> tokenUrl)
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/fhir/metadata", CapabilityStatementAsync);
        app.MapGet("/fhir/.well-known/smart-configuration", SmartConfigurationAsync);
    }

    private Task CapabilityStatementAsync(HttpContext context) => FhirResponses.JsonAsync(context, 200, json =>
    {
        json.WriteStartObject();
        json.WriteString("resourceType", "CapabilityStatement");
        json.WriteString("status", "active");
        json.WriteString("date", "2026-01-01");
        json.WriteString("kind", "instance");
        json.WriteString("fhirVersion", "4.0.1");
        json.WriteStartArray("format");
        json.WriteStringValue("application/fhir+json");
        json.WriteEndArray();
        json.WriteStartArray("instantiates");
        json.WriteStringValue("http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data");
        json.WriteEndArray();
        json.WriteStartObject("software");
        json.WriteString("name", "Ingestion demo FHIR Bulk Data server");
        json.WriteEndObject();
        json.WriteStartArray("rest");
        json.WriteStartObject();
        json.WriteString("mode", "server");
        if (requireAuth)
        {
            json.WriteStartObject("security");
            json.WriteStartArray("service");
            json.WriteStartObject();
            json.WriteStartArray("coding");
            json.WriteStartObject();
            json.WriteString("system", "http://terminology.hl7.org/CodeSystem/restful-security-service");
            json.WriteString("code", "SMART-on-FHIR");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteStartArray("resource");
        foreach (var type in source.ResourceTypes)
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            if (type is "Patient" or "Group")
            {
                json.WriteStartArray("operation");
                json.WriteStartObject();
                json.WriteString("name", "export");
                json.WriteString("definition", $"http://hl7.org/fhir/uv/bulkdata/OperationDefinition/{(type == "Patient" ? "patient" : "group")}-export");
                json.WriteEndObject();
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("operation");
        json.WriteStartObject();
        json.WriteString("name", "export");
        json.WriteString("definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });

    private Task SmartConfigurationAsync(HttpContext context) => FhirResponses.JsonAsync(context, 200, json =>
    {
        json.WriteStartObject();
        json.WriteString("token_endpoint", tokenUrl().ToString());
        json.WriteStartArray("token_endpoint_auth_methods_supported");
        json.WriteStringValue("private_key_jwt");
        json.WriteEndArray();
        json.WriteStartArray("token_endpoint_auth_signing_alg_values_supported");
        foreach (var alg in SmartTokenIssuer.Algorithms) json.WriteStringValue(alg);
        json.WriteEndArray();
        json.WriteStartArray("grant_types_supported");
        json.WriteStringValue("client_credentials");
        json.WriteEndArray();
        json.WriteStartArray("scopes_supported");
        foreach (var scope in SmartTokenIssuer.SupportedScopes) json.WriteStringValue(scope);
        json.WriteEndArray();
        json.WriteStartArray("capabilities");
        json.WriteStringValue("client-confidential-asymmetric");
        json.WriteStringValue("permission-v1");
        json.WriteStringValue("permission-v2");
        json.WriteEndArray();
        json.WriteEndObject();
    }, "application/json");
}
