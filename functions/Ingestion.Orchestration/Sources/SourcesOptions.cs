namespace Ingestion.Orchestration;

/// <summary>The named sources, bound from the <c>Sources</c> configuration section (one child section per id).</summary>
public sealed class SourcesOptions
{
    public const string SectionName = "Sources";

    public Dictionary<string, SourceDefinition> Sources { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The source with this id, or a clear error naming the configured ones.</summary>
    public SourceDefinition Get(string id) =>
        Sources.TryGetValue(id, out var source) ? source
        : throw new KeyNotFoundException($"No source '{id}' is configured (Sources__{id}__FhirBaseUrl …). Configured: {(Sources.Count == 0 ? "none" : string.Join(", ", Sources.Keys.Order(StringComparer.Ordinal)))}.");
}
