using Ingestion.Orchestration;
using Ingestion.Pipeline;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask.Client;

namespace Ingestion.RunApi;

/// <summary>
/// Makes the orchestration layer's <see cref="ExportRunStarter"/> over a given Durable client: under Functions the
/// client is the invocation's <c>[DurableClient]</c> binding, not a service, so the starter cannot come from DI.
/// </summary>
public sealed class ExportRunStarterFactory(IRunCatalog catalog, RunKeyPin key, PipelineOptions options, SourcesOptions sources, TimeProvider time)
{
    public ExportRunStarter Create(DurableTaskClient client) => new(client, catalog, key, options, sources, time);
}
