using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// One parsed NDJSON line. Either <see cref="Document"/> (the caller disposes it) with its type and id, or
/// <see cref="Error"/> (fatal: the line goes to quarantine). <see cref="JsonIssues"/> holds every strict-JSON finding
/// (the fatal one included), located by element path; null when there are none. Nothing quotes the line.
/// </summary>
public sealed record ResourceParseResult(JsonDocument? Document, string? ResourceType, string? Id, ValidationIssue? Error, IReadOnlyList<ValidationIssue>? JsonIssues)
{
    public bool Succeeded => Error is null;
}
