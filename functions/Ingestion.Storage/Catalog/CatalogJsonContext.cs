using System.Text.Json.Serialization;

namespace Ingestion.Storage.Catalog;

/// <summary>
/// Build-time JSON metadata of the catalog's documents (metadata only: <see cref="StateStoreRunCatalog"/>'s options
/// apply). The reflection path builds each contract at first use, on a run's start-up path (docs/benchmarks.md
/// "After startup"); the JSON is the same.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(RunRecord))]
[JsonSerializable(typeof(RunFileRecord))]
[JsonSerializable(typeof(SourceWatermarkRecord))]
[JsonSerializable(typeof(AuditEntry))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
