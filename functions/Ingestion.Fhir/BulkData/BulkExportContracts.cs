using System.Text.Json.Serialization;

namespace Ingestion.Fhir.BulkData;

// CONTRACT (issue #2 implements BulkExportClient; records may gain members, not lose them).

/// <summary>Export level: system ([base]/$export), all patients ([base]/Patient/$export) or a group.</summary>
public enum BulkExportLevel { System, Patient, Group }

/// <summary>A kick-off request (FHIR Bulk Data Access IG 2.0.0 parameters).</summary>
public sealed record BulkExportRequest
{
    public BulkExportLevel Level { get; init; } = BulkExportLevel.System;
    public string? GroupId { get; init; }
    public IReadOnlyList<string> Types { get; init; } = [];
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public IReadOnlyList<string> TypeFilters { get; init; } = [];
    public IReadOnlyList<string> Elements { get; init; } = [];
    public IReadOnlyList<string> Patients { get; init; } = [];
    public IReadOnlyList<string> IncludeAssociatedData { get; init; } = [];
    public string? OrganizeOutputBy { get; init; }
    public bool AllowPartialManifests { get; init; }
    public string OutputFormat { get; init; } = "application/fhir+ndjson";
    public bool UsePost { get; init; }
    public bool Lenient { get; init; }
}

/// <summary>
/// The durable polling state of one export: serializable, so a restarted process resumes polling the same
/// export instead of kicking off a new one.
/// </summary>
public sealed record BulkExportJob(string StatusUrl, DateTimeOffset KickedOffAt)
{
    public DateTimeOffset? NextPollAt { get; init; }
    public int PollAttempt { get; init; }
    public string? LastProgress { get; init; }
    /// <summary>Transient status failures (5xx, 429, network) in a row; reset by any good answer.</summary>
    public int ConsecutiveFailures { get; init; }
    /// <summary>With partial manifests: the next manifest page to fetch (a <c>link</c> next URL) instead of the status URL.</summary>
    public string? ManifestPageUrl { get; init; }
    /// <summary>With partial manifests: the pages received so far, merged into one manifest when the last arrives.</summary>
    public IReadOnlyList<BulkExportManifest> ManifestPages { get; init; } = [];
}

/// <summary>The result of one status request.</summary>
public sealed record BulkExportPollResult
{
    /// <summary>True when the manifest is available.</summary>
    public bool IsComplete => Manifest is not null;
    public BulkExportManifest? Manifest { get; init; }
    /// <summary>The job to persist for the next poll (next poll time from Retry-After, clamped, or backoff).</summary>
    public required BulkExportJob Job { get; init; }
    /// <summary>The server's X-Progress text, if any.</summary>
    public string? Progress { get; init; }
    /// <summary>A landed export's files that are not part of it (not NDJSON, not in its manifest…), each with the reason.</summary>
    public IReadOnlyList<SkippedExportFile> Skipped { get; init; } = [];
}

/// <summary>A file found beside a landed export but not read, and why (its name only: no content).</summary>
public sealed record SkippedExportFile(string Name, string Reason);

/// <summary>The completion manifest (spec names).</summary>
public sealed record BulkExportManifest
{
    [JsonPropertyName("transactionTime")] public required DateTimeOffset TransactionTime { get; init; }
    [JsonPropertyName("request")] public required string Request { get; init; }
    [JsonPropertyName("requiresAccessToken")] public bool RequiresAccessToken { get; init; }
    [JsonPropertyName("output")] public IReadOnlyList<BulkExportFile> Output { get; init; } = [];
    [JsonPropertyName("error")] public IReadOnlyList<BulkExportFile> Error { get; init; } = [];
    [JsonPropertyName("deleted")] public IReadOnlyList<BulkExportFile> Deleted { get; init; } = [];
    /// <summary>Partial manifests (STU3): a link with relation "next" points at the next page.</summary>
    [JsonPropertyName("link")] public IReadOnlyList<BulkExportLink> Link { get; init; } = [];
    /// <summary>Server-specific extension object, kept as sent.</summary>
    [JsonPropertyName("extension")] public System.Text.Json.JsonElement? Extension { get; init; }
}

/// <summary>A manifest link (relation + url), e.g. the "next" page of a partial manifest.</summary>
public sealed record BulkExportLink(
    [property: JsonPropertyName("relation")] string Relation,
    [property: JsonPropertyName("url")] string Url);

/// <summary>One manifest entry: resource type, file URL and (optional) resource count.</summary>
public sealed record BulkExportFile(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("count")] long? Count = null)
{
    /// <summary>The file's size where a landed source knows it (not a manifest field): the run schedules large files first.</summary>
    [JsonIgnore] public long? Bytes { get; init; }
}
