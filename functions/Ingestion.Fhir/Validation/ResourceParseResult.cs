using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// One parsed NDJSON line. Either <see cref="Document"/> (the caller disposes it) with its type and id, or
/// <see cref="Error"/> (fatal: the line goes to quarantine). The error never quotes the line.
/// </summary>
public sealed record ResourceParseResult(JsonDocument? Document, string? ResourceType, string? Id, ValidationIssue? Error)
{
    public bool Succeeded => Error is null;
}
