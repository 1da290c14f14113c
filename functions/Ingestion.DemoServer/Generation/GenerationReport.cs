namespace Ingestion.DemoServer;

/// <summary>
/// Exactly what the generator produces: per resource type the number of valid resources, the number of
/// defective lines per defect kind, and the simulated deletions. Lines per type = valid + all defects.
/// </summary>
public sealed record GenerationReport
{
    public required IReadOnlyDictionary<string, long> ValidResources { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<DefectKind, long>> Defects { get; init; }
    public required IReadOnlyDictionary<string, long> Deletions { get; init; }

    /// <summary>NDJSON lines of this type in a full export (valid + defective).</summary>
    public long LinesOf(string resourceType) =>
        ValidResources.GetValueOrDefault(resourceType) + DefectsOf(resourceType).Values.Sum();

    /// <summary>Defective lines of a type, per kind (empty when none).</summary>
    public IReadOnlyDictionary<DefectKind, long> DefectsOf(string resourceType) =>
        Defects.TryGetValue(resourceType, out var d) ? d : new Dictionary<DefectKind, long>();

    /// <summary>Defective lines of one kind over all types.</summary>
    public long TotalDefects(DefectKind kind) => Defects.Values.Sum(d => d.GetValueOrDefault(kind));

    /// <summary>All lines of a full export.</summary>
    public long TotalLines => ResourceTypes.Sum(LinesOf);

    /// <summary>Every resource type with at least one line.</summary>
    public IEnumerable<string> ResourceTypes => ValidResources.Keys.Union(Defects.Keys).Where(t => LinesOf(t) > 0).Order(StringComparer.Ordinal);
}
