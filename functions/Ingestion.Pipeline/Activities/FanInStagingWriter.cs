using System.Text;
using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>Streams one table's staged rows to one lake file (<see cref="FanInStaging"/>); the upload starts with the
/// first row, so a file with no rows writes nothing and <see cref="CompleteAsync"/> deletes a stale one. Lines are
/// gathered in one buffer of at most about <see cref="FlushChars"/> characters, written in one call when full.</summary>
internal sealed class FanInStagingWriter(ILake lake, OmopTable table, string path) : IAsyncDisposable
{
    private readonly StagedTextFile _file = new(lake, path);
    private const int FlushChars = 32 * 1024;

    private readonly StringBuilder _lines = new(FlushChars + 256);
    private OmopRowBuffer? _boxed;

    public long Rows { get; private set; }

    /// <summary>Stages row <paramref name="row"/> of <paramref name="rows"/> (a buffer of this file's table).</summary>
    public ValueTask WriteAsync(OmopRowBuffer rows, int row, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(rows.Table, table)) throw new ArgumentException($"A {rows.Table.Name} row cannot be staged as {table.Name}.", nameof(rows));
        StagedRowCodec.Encode(_lines, rows, row);
        _lines.Append('\n');
        Rows++;
        return _lines.Length >= FlushChars ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>Stages a row given as boxed values in column order (rows the reduce merged from staged files).</summary>
    public ValueTask WriteAsync(object?[] row, CancellationToken cancellationToken)
    {
        var boxed = _boxed ??= new OmopRowBuffer(table, 1);
        boxed.Clear();
        boxed.AddBoxed(row);
        return WriteAsync(boxed, 0, cancellationToken);
    }

    /// <summary>Publishes the staged file; returns its path, or null (and deletes any earlier one) when it has no rows.</summary>
    public async Task<string?> CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _file.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_lines.Length == 0) return;
        var writer = await _file.WriterAsync(cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(_lines, cancellationToken).ConfigureAwait(false);
        _lines.Clear();
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
