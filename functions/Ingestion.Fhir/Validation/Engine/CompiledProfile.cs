namespace Ingestion.Fhir.Validation;

/// <summary>A profile compiled into element tables, plus what this compiler could not evaluate.</summary>
internal sealed class CompiledProfile
{
    public required string Url { get; init; }
    public required string Id { get; init; }
    public required string Type { get; init; }
    public required ChildTable Root { get; init; }
    /// <summary>Constraints not evaluated, as "element key: reason" (unsupported FHIRPath, no expression, on a slice).</summary>
    public List<string> UnevaluatedConstraints { get; } = [];
    public List<string> UnresolvedBindings { get; } = [];
    public List<string> UnevaluatedSlices { get; } = [];
}
