using System.Collections.Concurrent;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Sources;

namespace Ingestion.Orchestration;

/// <summary>
/// Builds a run's source from its input: one <see cref="BulkExportClient"/> per FHIR base URL (each owns its
/// safe HTTP stack; credentials from configuration, never from the run), a landed folder, or a landed blob container.
/// </summary>
public sealed class ExportSources(BulkExportClientOptions template, SmartBackendOptions? smart, PipelineOptions pipeline, LandedContainerOptions landed) : IExportSourceFactory, IDisposable
{
    private readonly ConcurrentDictionary<string, IExportSource> _servers = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _owned = [];

    public IExportSource Create(ExportRunInput input) => input.SourceKind switch
    {
        ExportSourceKind.LandedFolder => new LandedFolderSource(input.LandedLocation ?? throw new InvalidOperationException($"Source '{input.SourceId}' has no landed folder."), pipeline.LandedFileChunkBytes),
        ExportSourceKind.LandedBlobContainer => LandedContainerLocation.Open(input.LandedLocation ?? throw new InvalidOperationException($"Source '{input.SourceId}' has no landed container."), landed),
        _ => _servers.GetOrAdd(input.FhirBaseUrl ?? throw new InvalidOperationException($"Source '{input.SourceId}' has no FHIR base URL."), CreateServer),
    };

    private IExportSource CreateServer(string baseUrl)
    {
        var options = template.ForBaseUrl(new Uri(baseUrl));
        IAccessTokenProvider? tokens = null;
        if (smart is { ClientId: not null })
        {
            var provider = new SmartBackendTokenProvider(smart);
            lock (_owned) _owned.Add(provider);
            tokens = provider;
        }
        var client = new BulkExportClient(options, tokens);
        lock (_owned) _owned.Add(client);
        return new FhirServerSource(client);
    }

    public void Dispose()
    {
        lock (_owned) foreach (var d in _owned) d.Dispose();
    }
}
