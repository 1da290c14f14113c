namespace Ingestion.Fhir.Validation;

/// <summary>A profile compiled into element tables, plus what this compiler could not evaluate.</summary>
internal sealed class CompiledProfile
{
    public required string Url { get; init; }
    public required string Id { get; init; }
    public required string Type { get; init; }
    public required ChildTable Root { get; init; }
    public required IReadOnlyList<string> ConstraintKeys { get; init; }
    public List<string> UnresolvedBindings { get; } = [];
    public List<string> UnevaluatedSlices { get; } = [];
}
