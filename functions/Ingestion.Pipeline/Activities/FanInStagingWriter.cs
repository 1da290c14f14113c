using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>Streams one table's staged rows to one lake file (<see cref="FanInStaging"/>); the upload starts with the
/// first row, so a file with no rows writes nothing and <see cref="CompleteAsync"/> deletes a stale one.</summary>
internal sealed class FanInStagingWriter(ILake lake, OmopTable table, string path) : IAsyncDisposable
{
    private readonly StagedTextFile _file = new(lake, path);

    public long Rows { get; private set; }

    public async Task WriteAsync(object?[] row, CancellationToken cancellationToken)
    {
        var writer = await _file.WriterAsync(cancellationToken).ConfigureAwait(false);
        await writer.WriteLineAsync(StagedRowCodec.Encode(table, row).AsMemory(), cancellationToken).ConfigureAwait(false);
        Rows++;
    }

    /// <summary>Publishes the staged file; returns its path, or null (and deletes any earlier one) when it has no rows.</summary>
    public Task<string?> CompleteAsync(CancellationToken cancellationToken) => _file.CompleteAsync(cancellationToken);

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
