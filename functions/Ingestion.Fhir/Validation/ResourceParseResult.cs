using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// One parsed NDJSON line. Either <see cref="Document"/> (the caller disposes it) with its type, or
/// <see cref="Error"/> (fatal: the line goes to quarantine). <see cref="JsonIssues"/> holds every strict-JSON finding
/// (the fatal one included), located by element path; null when there are none. Nothing quotes the line.
/// </summary>
public sealed record ResourceParseResult(ResourceDocument? Document, string? ResourceType, ValidationIssue? Error, IReadOnlyList<ValidationIssue>? JsonIssues)
{
    public bool Succeeded => Error is null;

    /// <summary>False when <see cref="ResourceParserOptions.DeferDuplicateKeys"/> left duplicate keys unchecked: the caller must rule them out.</summary>
    public bool DuplicateKeysChecked { get; init; } = true;

    /// <summary>
    /// The root's <c>id</c> string (null when absent or not a string), read from <see cref="Document"/> when asked
    /// (so before it is disposed): the pipeline never asks, and a string per resource is not made for nothing.
    /// </summary>
    public string? Id => Document is { } document && document.RootElement.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
}
