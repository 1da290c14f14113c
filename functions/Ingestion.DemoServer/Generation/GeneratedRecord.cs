namespace Ingestion.DemoServer;

/// <summary>
/// One NDJSON line from the generator: its resource type, the UTF-8 line without the newline, its defect
/// (null when valid), the id of the patient it belongs to (null for shared resources such as Organization)
/// and its meta.lastUpdated (used by <c>_since</c>).
/// </summary>
public sealed record GeneratedRecord(string ResourceType, byte[] NdjsonLine, DefectKind? Defect, string? PatientId, DateTimeOffset LastUpdated);

/// <summary>A resource the generator simulates as deleted at <paramref name="DeletedAt"/> (reported in deleted[] with _since).</summary>
public sealed record GeneratedDeletion(string ResourceType, string Id, DateTimeOffset DeletedAt);
