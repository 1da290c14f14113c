using Ingestion.Omop;
using Ingestion.Parquet;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Streams one table's rows of one file into Parquet parts in the lake: each part is an upload that becomes
/// visible only on commit; a part rolls over at <see cref="PipelineOptions.MaxRowsPerPart"/>. Memory is one
/// row group, whatever the file size.
/// </summary>
internal sealed class TablePartWriter(ILake lake, OmopTable table, Func<int, string> partPath, PipelineOptions options) : IAsyncDisposable
{
    // Rows reach the Parquet writer as typed column batches of this many rows (no boxing, one schema check per batch).
    private const int BatchRows = 512;

    private readonly List<PartOutput> _parts = [];
    private readonly ParquetSchema _schema = OmopParquetSchemas.For(table);
    private ParquetColumnBatch? _batch;
    private OmopRowBuffer? _boxed;
    private ILakeUpload? _upload;
    private ParquetWriter? _writer;
    private CountingStream? _counter;
    private long _partRows;
    private int _next;

    public IReadOnlyList<PartOutput> Parts => _parts;

    /// <summary>The part the next row written goes to.</summary>
    public string NextRowPath => partPath(_next);

    /// <summary>Writes row <paramref name="row"/> of <paramref name="rows"/> (a buffer of this writer's table).</summary>
    public ValueTask WriteAsync(OmopRowBuffer rows, int row, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(rows.Table, table)) throw new ArgumentException($"A {rows.Table.Name} row cannot go to a {table.Name} part.", nameof(rows));
        // Called per row: only the first row of a part, a full batch and a full part await (no state machine per row).
        if (_writer is null) return OpenAndWriteAsync(rows, row, cancellationToken);
        var batch = _batch ??= new ParquetColumnBatch(_schema, BatchRows);
        OmopColumnBatch.Copy(rows, row, batch, batch.RowCount);
        batch.RowCount++;
        _partRows++;
        return batch.RowCount == batch.Capacity || _partRows >= options.MaxRowsPerPart ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    private async ValueTask OpenAndWriteAsync(OmopRowBuffer rows, int row, CancellationToken cancellationToken)
    {
        await OpenPartAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(rows, row, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_batch!.RowCount == _batch.Capacity) await WriteBatchAsync(cancellationToken).ConfigureAwait(false);
        if (_partRows >= options.MaxRowsPerPart) await CommitPartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes rows <paramref name="rows"/> of <paramref name="source"/> (a batch of this table's schema, e.g. a
    /// row group <see cref="TablePartReader"/> read), column by column: the fan-in's rewrite of a part keeps its rows'
    /// values as they are, without a row object.</summary>
    public async ValueTask WriteAsync(ParquetColumnBatch source, ReadOnlyMemory<int> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!ReferenceEquals(source.Schema, _schema)) throw new ArgumentException($"The rows are not of {table.Name}'s schema.", nameof(source));
        while (!rows.IsEmpty)
        {
            if (_writer is null) await OpenPartAsync(cancellationToken).ConfigureAwait(false);
            var batch = _batch ??= new ParquetColumnBatch(_schema, BatchRows);
            var take = (int)Math.Min(Math.Min(rows.Length, batch.Capacity - batch.RowCount), options.MaxRowsPerPart - _partRows);
            batch.CopyRowsFrom(source, rows.Span[..take], batch.RowCount);
            batch.RowCount += take;
            _partRows += take;
            rows = rows[take..];
            if (batch.RowCount == batch.Capacity || _partRows >= options.MaxRowsPerPart) await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes a row given as boxed values in column order (rows the reduce steps read back from staging).</summary>
    public ValueTask WriteAsync(object?[] row, CancellationToken cancellationToken)
    {
        var boxed = _boxed ??= new OmopRowBuffer(table, 1);
        boxed.Clear();
        boxed.AddBoxed(row);
        return WriteAsync(boxed, 0, cancellationToken);
    }

    /// <summary>Commits the open part (if any). After this, <see cref="Parts"/> lists every part written.</summary>
    /// <param name="emptyPartWhenNoRows">Write one part with no rows when the table had none, so a reader's glob
    /// over the table's folder finds a file (DuckDB fails on an empty glob).</param>
    public async Task CompleteAsync(CancellationToken cancellationToken, bool emptyPartWhenNoRows = false)
    {
        if (_writer is null && _parts.Count == 0 && emptyPartWhenNoRows) await OpenPartAsync(cancellationToken).ConfigureAwait(false);
        if (_writer is not null) await CommitPartAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task OpenPartAsync(CancellationToken cancellationToken)
    {
        _upload = await lake.StartUploadAsync(partPath(_next), LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
        _counter = new CountingStream(_upload.Content);
        _writer = new ParquetWriter(_counter, _schema, new ParquetWriterOptions
        {
            RowGroupSizeBytes = options.RowGroupSizeBytes,
            KeyValueMetadata = new Dictionary<string, string> { ["omop.table"] = table.Name, ["omop.cdm_version"] = "5.4" },
        });
    }

    private async Task CommitPartAsync(CancellationToken cancellationToken)
    {
        var writer = _writer!;
        var upload = _upload!;
        await WriteBatchAsync(cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await upload.CommitAsync(cancellationToken).ConfigureAwait(false);
        _parts.Add(new PartOutput(table.Name, upload.Path, writer.RowCount, _counter!.Written));
        await writer.DisposeAsync().ConfigureAwait(false);
        await upload.DisposeAsync().ConfigureAwait(false);
        _writer = null;
        _upload = null;
        _partRows = 0;
        _next++;
    }

    private async ValueTask WriteBatchAsync(CancellationToken cancellationToken)
    {
        if (_batch is not { RowCount: > 0 } batch) return;
        await _writer!.WriteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        batch.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        // An uncommitted part (failed attempt) is discarded by disposing its upload.
        if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
        if (_upload is not null) await _upload.DisposeAsync().ConfigureAwait(false);
    }
}
