using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>Streams one table's staged rows to one lake file (<see cref="FanInStaging"/>); the upload starts with the
/// first row, so a file with no rows writes nothing and <see cref="CompleteAsync"/> deletes a stale one. Lines are
/// gathered and written in blocks (<see cref="StagedTextFile.Lines"/>).</summary>
internal sealed class FanInStagingWriter(ILake lake, OmopTable table, string path) : IAsyncDisposable
{
    private readonly StagedTextFile _file = new(lake, path);
    private OmopRowBuffer? _boxed;

    public long Rows { get; private set; }

    /// <summary>Stages row <paramref name="row"/> of <paramref name="rows"/> (a buffer of this file's table).</summary>
    public ValueTask WriteAsync(OmopRowBuffer rows, int row, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(rows.Table, table)) throw new ArgumentException($"A {rows.Table.Name} row cannot be staged as {table.Name}.", nameof(rows));
        StagedRowCodec.Encode(_file.Lines, rows, row);
        _file.Lines.Append('\n');
        Rows++;
        return _file.EndLineAsync(cancellationToken);
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
    public Task<string?> CompleteAsync(CancellationToken cancellationToken) => _file.CompleteAsync(cancellationToken);

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
