using Ingestion.Storage.Catalog;

namespace Ingestion.Functions.Tests;

internal static class CatalogAudit
{
    /// <summary>The audit entries of a scope (a run id, or "source:&lt;id&gt;").</summary>
    public static async Task<List<AuditEntry>> ReadAsync(IRunCatalog catalog, string scope)
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in catalog.ListAuditAsync(scope, CancellationToken.None)) entries.Add(entry);
        return entries;
    }
}
