namespace Ingestion.DemoServer;

/// <summary>
/// A resource decided by the generator's plan (type, id, defect, lastUpdated) whose JSON is written only on
/// demand, so counting (Report) never pays for serialization. Content values come from <see cref="ContentSeed"/>.
/// </summary>
internal sealed record PlannedResource(
    string ResourceType, string Profile, string Id, string? PatientId, DefectKind? Defect, DateTimeOffset LastUpdated, int ContentSeed,
    Action<ResourceWriter, Random> Write);
