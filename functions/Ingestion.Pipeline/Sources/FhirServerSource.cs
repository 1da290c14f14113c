using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Ndjson;

namespace Ingestion.Pipeline.Sources;

/// <summary>A FHIR server's Bulk Data $export through <see cref="BulkExportClient"/> (one status request per poll).</summary>
public sealed class FhirServerSource(BulkExportClient client) : IExportSource
{
    public Task<BulkExportJob> KickOffAsync(BulkExportRequest request, CancellationToken cancellationToken) =>
        client.KickOffAsync(request, cancellationToken);

    public Task<BulkExportPollResult> PollAsync(BulkExportJob job, CancellationToken cancellationToken) => client.PollAsync(job, cancellationToken);

    public IAsyncEnumerable<NdjsonLine> ReadFileAsync(BulkExportFile file, bool requiresAccessToken, CancellationToken cancellationToken) =>
        // Only requiresAccessToken of the manifest matters for a download; the rest is checkpointed in the run document.
        client.ReadFileAsync(new BulkExportManifest { TransactionTime = default, Request = "", RequiresAccessToken = requiresAccessToken }, file, cancellationToken);

    public Task DeleteAsync(BulkExportJob job, CancellationToken cancellationToken) => client.DeleteAsync(job, cancellationToken);
}
