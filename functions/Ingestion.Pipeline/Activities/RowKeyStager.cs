using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Fed by the file activity with every row it writes to a Parquet part: streams the row's keys to the file's
/// <see cref="RowKeyStaging"/> file. A file without keyed rows stages nothing (and <see cref="CompleteAsync"/> deletes
/// a stale file of an earlier attempt). Records are encoded in place and written in blocks (<see cref="StagedBinaryFile"/>).
/// </summary>
internal sealed class RowKeyStager(ILake lake, string path) : IAsyncDisposable
{
    private readonly StagedBinaryFile _file = new(lake, path, RowKeyStaging.FileHeader);
    private long _lastUpdatedTicks;
    private long _lineNumber;

    /// <summary>The resource whose rows come next: its meta.lastUpdated and NDJSON line decide between two rows of one key.</summary>
    public void BeginResource(ResourceElement resource, long lineNumber)
    {
        _lineNumber = lineNumber;
        _lastUpdatedTicks = resource.ValueKind == JsonValueKind.Object && resource.TryGetProperty("meta"u8, out var meta)
            && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("lastUpdated"u8, out var lastUpdated)
            && lastUpdated.ValueKind == JsonValueKind.String && lastUpdated.TryGetDateTimeOffset(out var instant)
            ? instant.UtcTicks : 0;
    }

    /// <summary>Stages the keys of row <paramref name="row"/> of <paramref name="rows"/>.</summary>
    public ValueTask WriteAsync(OmopRowBuffer rows, int row, CancellationToken cancellationToken)
    {
        if (!CdmForeignKeys.HasRowKey(rows.Table)) return ValueTask.CompletedTask;
        return RowKeyStaging.WriteAsync(_file, rows, row, _lastUpdatedTicks, _lineNumber, cancellationToken);
    }

    /// <summary>Publishes the staged file and returns its path; with no rows, deletes any earlier one and returns null.</summary>
    public Task<string?> CompleteAsync(CancellationToken cancellationToken) => _file.CompleteAsync(cancellationToken);

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
