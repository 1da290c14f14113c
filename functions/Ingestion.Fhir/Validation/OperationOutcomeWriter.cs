using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>Writes a validation result as a FHIR R4 OperationOutcome (what quarantine stores beside the resource).</summary>
public static class OperationOutcomeWriter
{
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<ValidationIssue> issues)
    {
        writer.WriteStartObject();
        writer.WriteString("resourceType", "OperationOutcome");
        writer.WriteStartArray("issue");
        foreach (var issue in issues)
        {
            writer.WriteStartObject();
            writer.WriteString("severity", issue.Severity switch
            {
                IssueSeverity.Fatal => "fatal",
                IssueSeverity.Error => "error",
                IssueSeverity.Warning => "warning",
                _ => "information",
            });
            writer.WriteString("code", issue.Code);
            writer.WriteStartObject("details");
            writer.WriteStartArray("coding");
            writer.WriteStartObject();
            writer.WriteString("system", "urn:ingestion:validation-rule");
            writer.WriteString("code", issue.RuleId);
            writer.WriteEndObject();
            writer.WriteEndArray();
            if (issue.Profile is not null) writer.WriteString("text", issue.Profile);
            writer.WriteEndObject();
            writer.WriteString("diagnostics", issue.Message);
            writer.WriteStartArray("expression");
            writer.WriteStringValue(issue.Location);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static string ToJson(IReadOnlyList<ValidationIssue> issues)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) Write(writer, issues);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
