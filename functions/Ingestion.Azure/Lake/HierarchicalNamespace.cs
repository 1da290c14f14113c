namespace Ingestion.Azure.Lake;

/// <summary>
/// ADLS Gen2 through the Blob endpoint: a flat listing of a hierarchical-namespace account also returns each directory
/// as a zero-length blob marked with metadata hdi_isfolder=true. They are not lake objects.
/// </summary>
internal static class HierarchicalNamespace
{
    public static bool IsDirectory(IDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue("hdi_isfolder", out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
