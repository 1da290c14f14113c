using Ingestion.Parquet.Columns;
using Ingestion.Parquet.Compression;
using Ingestion.Parquet.Format;
using Ingestion.Parquet.Thrift;

namespace Ingestion.Parquet;

/// <summary>
/// Streams a Parquet file to a forward-only stream. Rows arrive in typed column batches
/// (<see cref="ParquetColumnBatch"/>), are buffered per row group and flushed when the row group reaches its size;
/// <see cref="CompleteAsync"/> writes the footer. Disposing without completing leaves no footer: the output must be
/// discarded.
/// </summary>
/// <remarks>
/// The stream is only written (never seeked, its Position never read) and is not disposed: the caller owns it.
/// A batch with a row that breaks the schema is rejected with <see cref="ParquetSchemaViolationException"/> before any
/// of it is buffered, and the writer goes on. A failed or cancelled write to the stream faults the writer: every later call
/// throws <see cref="ParquetWriterFaultedException"/> and the output (no footer) must be discarded.
/// Not thread-safe: one writer per file, any number of writers in parallel.
/// </remarks>
public sealed class ParquetWriter : IAsyncDisposable
{
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    // Batches are appended in slices so a large batch still flushes row groups near their target size.
    private const int BatchSliceRows = 4096;

    private readonly Stream _output;
    private readonly ParquetSchema _schema;
    private readonly ParquetWriterOptions _options;
    private readonly ColumnChunkBuffer[] _columns;
    private readonly ChunkEncodingContext _context;
    private readonly ByteBuffer _chunk = new(256 * 1024);
    private readonly List<RowGroupMetaData> _rowGroups = [];
    private long _position;
    private long _rowCount;
    private int _bufferedRows;
    private WriterState _state;
    private Exception? _fault;

    private enum WriterState { Open, Completed, Faulted, Disposed }

    public ParquetWriter(Stream output, ParquetSchema schema, ParquetWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        if (!output.CanWrite) throw new ArgumentException("The output stream is not writable.", nameof(output));
        _options = options ?? new ParquetWriterOptions();
        ValidateOptions(_options);
        ValidateSchema(schema);
        _output = output;
        _schema = schema;
        _context = new ChunkEncodingContext(new PageCompressor(_options.Compression));
        var settings = new ColumnChunkSettings(_options.DictionaryEnabled, _options.DictionaryPageSizeLimit, _options.PageSizeBytes);
        _columns = schema.Columns.Select(c => CreateColumnBuffer(c, settings)).ToArray();
    }

    public ParquetSchema Schema => _schema;

    /// <summary>Rows accepted so far (written or buffered).</summary>
    public long RowCount => _rowCount;

    /// <summary>Row groups already flushed to the stream.</summary>
    public int RowGroupCount => _rowGroups.Count;

    /// <summary>
    /// Appends the first <see cref="ParquetColumnBatch.RowCount"/> rows of a columnar batch.
    /// The whole batch is checked first; if any row breaks the schema nothing of the batch is written.
    /// </summary>
    public async ValueTask WriteBatchAsync(ParquetColumnBatch batch, CancellationToken cancellationToken = default)
    {
        ThrowIfNotOpen();
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        if (!ReferenceEquals(batch.Schema, _schema) && !batch.Schema.Columns.SequenceEqual(_schema.Columns))
            throw new ParquetSchemaViolationException(ParquetErrorCode.BatchSchemaMismatch, "The batch was made for a different schema.");
        ValidateBatch(batch);
        for (var start = 0; start < batch.RowCount; start += BatchSliceRows)
        {
            var count = Math.Min(BatchSliceRows, batch.RowCount - start);
            for (var i = 0; i < _columns.Length; i++) AppendSlice(_columns[i], batch, i, start, count);
            _rowCount += count;
            _bufferedRows += count;
            if (RowGroupIsFull()) await FlushRowGroupAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Flushes the open row group and writes the footer. The file is complete only after this returns.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfNotOpen();
        await FlushRowGroupAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_position == 0) await WriteAsync(Magic, cancellationToken).ConfigureAwait(false);
            _chunk.Clear();
            new FileMetaData(_schema, _rowCount, _rowGroups, _options.KeyValueMetadata, ParquetCreatedBy.Value)
                .Write(new ThriftCompactWriter(_chunk));
            _chunk.WriteInt32LittleEndian(_chunk.Length);
            _chunk.Write(Magic);
            await WriteAsync(_chunk.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            _state = WriterState.Completed;
        }
        catch (Exception e)
        {
            Fault(e);
            throw;
        }
    }

    /// <summary>Releases buffers. Without a prior <see cref="CompleteAsync"/> no footer is written: discard the output.</summary>
    public ValueTask DisposeAsync()
    {
        if (_state == WriterState.Disposed) return ValueTask.CompletedTask;
        _state = WriterState.Disposed;
        foreach (var column in _columns) column.Dispose();
        _context.Dispose();
        _chunk.Dispose();
        return ValueTask.CompletedTask;
    }

    private bool RowGroupIsFull()
    {
        long bytes = 0;
        foreach (var column in _columns) bytes += column.BufferedBytes;
        return bytes >= _options.RowGroupSizeBytes;
    }

    private async Task FlushRowGroupAsync(CancellationToken cancellationToken)
    {
        if (_bufferedRows == 0) return;
        try
        {
            if (_position == 0) await WriteAsync(Magic, cancellationToken).ConfigureAwait(false);
            var rowGroupOffset = _position;
            var chunks = new ColumnChunkMetaData[_columns.Length];
            for (var i = 0; i < _columns.Length; i++)
            {
                _chunk.Clear();
                chunks[i] = _columns[i].WriteChunk(_chunk, _position, _context);
                await WriteAsync(_chunk.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }
            short? ordinal = _rowGroups.Count <= short.MaxValue ? (short)_rowGroups.Count : null;
            _rowGroups.Add(new RowGroupMetaData(chunks, _bufferedRows, rowGroupOffset, ordinal));
            _bufferedRows = 0;
        }
        catch (Exception e)
        {
            Fault(e);
            throw;
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        _position += bytes.Length;
    }

    private void Fault(Exception e)
    {
        if (_state != WriterState.Open) return;
        _state = WriterState.Faulted;
        _fault = e;
    }

    private void ThrowIfNotOpen()
    {
        switch (_state)
        {
            case WriterState.Open: return;
            case WriterState.Completed:
                throw new ParquetWriterFaultedException(ParquetErrorCode.WriterCompleted, "The Parquet file is already complete.");
            case WriterState.Faulted:
                throw new ParquetWriterFaultedException(ParquetErrorCode.WriterFaulted,
                    "An earlier write of this Parquet file failed; the output has no footer and must be discarded.", _fault);
            default:
                throw new ObjectDisposedException(nameof(ParquetWriter));
        }
    }

    private void ValidateBatch(ParquetColumnBatch batch)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            var column = _columns[i].Column;
            if (column.Type != ParquetType.String) continue;
            var strings = batch.Strings(i)[..batch.RowCount];
            for (var row = 0; row < strings.Length; row++)
            {
                if (strings[row] is { } text) StringValueValidator.ValidateString(column, text, _rowCount + row);
                else if (column.Required)
                    throw new ParquetSchemaViolationException(ParquetErrorCode.NullInRequiredColumn,
                        $"Null in REQUIRED column '{column.Name}' at row {_rowCount + row}.", column.Name, _rowCount + row);
            }
        }
    }

    private static void AppendSlice(ColumnChunkBuffer buffer, ParquetColumnBatch batch, int column, int start, int count)
    {
        var nulls = batch.RawNulls(column) is { } marks ? marks.AsSpan(start, count) : default;
        switch (buffer)
        {
            case FixedWidthColumnBuffer<int, int> int32s:
                int32s.AppendRange(((int[])batch.RawValues(column)).AsSpan(start, count), nulls);
                break;
            case FixedWidthColumnBuffer<long, long> int64s:
                int64s.AppendRange(((long[])batch.RawValues(column)).AsSpan(start, count), nulls);
                break;
            case FixedWidthColumnBuffer<double, long> doubles:
                doubles.AppendRange(((double[])batch.RawValues(column)).AsSpan(start, count), nulls);
                break;
            case BooleanColumnBuffer booleans:
                booleans.AppendRange(((bool[])batch.RawValues(column)).AsSpan(start, count), nulls);
                break;
            case StringColumnBuffer strings:
                strings.AppendRange(((string?[])batch.RawValues(column)).AsSpan(start, count));
                break;
            default:
                throw new InvalidOperationException("Unknown column buffer.");
        }
    }

    private static ColumnChunkBuffer CreateColumnBuffer(ParquetColumn column, ColumnChunkSettings settings) => column.Type switch
    {
        ParquetType.Boolean => new BooleanColumnBuffer(column, settings),
        ParquetType.Int32 or ParquetType.Date => new FixedWidthColumnBuffer<int, int>(column, settings),
        ParquetType.Int64 or ParquetType.Timestamp => new FixedWidthColumnBuffer<long, long>(column, settings),
        ParquetType.Double => new FixedWidthColumnBuffer<double, long>(column, settings),
        ParquetType.String => new StringColumnBuffer(column, settings),
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };

    private static void ValidateSchema(ParquetSchema schema)
    {
        if (schema.Columns is null || schema.Columns.Count == 0)
            throw new ParquetSchemaViolationException(ParquetErrorCode.InvalidSchema, "A Parquet schema needs at least one column.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            var column = schema.Columns[i];
            if (column is null || string.IsNullOrEmpty(column.Name))
                throw new ParquetSchemaViolationException(ParquetErrorCode.InvalidSchema, $"Column {i} has no name.");
            if (!Enum.IsDefined(column.Type))
                throw new ParquetSchemaViolationException(ParquetErrorCode.InvalidSchema, $"Column '{column.Name}' has an unknown type.", column.Name);
            if (!StringValueValidator.IsWellFormedUtf16(column.Name))
                throw new ParquetSchemaViolationException(ParquetErrorCode.InvalidSchema, $"Column {i} has a name with no UTF-8 form.");
            if (!names.Add(column.Name))
                throw new ParquetSchemaViolationException(ParquetErrorCode.InvalidSchema, $"Column name '{column.Name}' appears twice.", column.Name);
        }
    }

    private static void ValidateOptions(ParquetWriterOptions options)
    {
        if (!Enum.IsDefined(options.Compression)) throw new ArgumentOutOfRangeException(nameof(options), "Unknown compression.");
        if (options.RowGroupSizeBytes <= 0) throw new ArgumentOutOfRangeException(nameof(options), "RowGroupSizeBytes must be positive.");
        if (options.PageSizeBytes <= 0) throw new ArgumentOutOfRangeException(nameof(options), "PageSizeBytes must be positive.");
        if (options.DictionaryPageSizeLimit <= 0) throw new ArgumentOutOfRangeException(nameof(options), "DictionaryPageSizeLimit must be positive.");
        ArgumentNullException.ThrowIfNull(options.KeyValueMetadata);
    }
}
