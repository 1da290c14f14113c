using Ingestion.Parquet.Encodings;
using Ingestion.Parquet.Format;
using Ingestion.Parquet.Thrift;

namespace Ingestion.Parquet.Columns;

/// <summary>
/// Buffers one column of the open row group and, on flush, writes it as a column chunk: an optional dictionary page
/// then data pages (v1: definition levels with a 4-byte length, then values), each compressed, headers in Thrift.
/// Typed subclasses hold the values; this class holds definition levels and the page layout.
/// </summary>
internal abstract class ColumnChunkBuffer : IDisposable
{
    private byte[] _levels = new byte[1024];

    protected ColumnChunkBuffer(ParquetColumn column, ColumnChunkSettings settings)
    {
        Column = column;
        Settings = settings;
    }

    public ParquetColumn Column { get; }

    protected ColumnChunkSettings Settings { get; }

    /// <summary>Rows buffered, nulls included.</summary>
    public int RowCount { get; private set; }

    public int NullCount { get; private set; }

    /// <summary>Memory held by the buffered values (the row-group size measure).</summary>
    public long BufferedBytes => ValueBytes + (Column.Required ? 0 : RowCount);

    protected abstract long ValueBytes { get; }

    /// <summary>Records one null row (no value is appended).</summary>
    protected void AppendNull()
    {
        EnsureLevels(1);
        _levels[RowCount++] = 0;
        NullCount++;
    }

    /// <summary>Records <paramref name="count"/> defined rows whose values the subclass already appended.</summary>
    protected void MarkDefined(int count)
    {
        if (!Column.Required)
        {
            EnsureLevels(count);
            _levels.AsSpan(RowCount, count).Fill(1);
        }
        RowCount += count;
    }

    /// <summary>Records a run of rows from a batch: nulls[i] true marks a null (values for nulls are not appended).</summary>
    protected void MarkRows(ReadOnlySpan<bool> nulls)
    {
        EnsureLevels(nulls.Length);
        var levels = _levels.AsSpan(RowCount, nulls.Length);
        var nullCount = 0;
        for (var i = 0; i < nulls.Length; i++)
        {
            var isNull = nulls[i];
            levels[i] = isNull ? (byte)0 : (byte)1;
            nullCount += isNull ? 1 : 0;
        }
        NullCount += nullCount;
        RowCount += nulls.Length;
    }

    private void EnsureLevels(int more)
    {
        if (Column.Required || RowCount + more <= _levels.Length) return;
        Array.Resize(ref _levels, Math.Max(_levels.Length * 2, RowCount + more));
    }

    /// <summary>Writes the buffered rows as one column chunk at <paramref name="fileOffset"/>, then empties the buffer.</summary>
    public ColumnChunkMetaData WriteChunk(ByteBuffer output, long fileOffset, ChunkEncodingContext context)
    {
        var useDictionary = PrepareEncoding();
        var chunkStart = output.Length;
        long uncompressed = 0;
        long compressed = 0;
        long? dictionaryOffset = null;
        var page = context.Page;

        if (useDictionary)
        {
            dictionaryOffset = fileOffset + output.Length - chunkStart;
            page.Clear();
            var entries = WriteDictionaryEntries(page);
            WritePage(output, context, new PageHeader(PageType.DictionaryPage, page.Length, 0, entries, PageEncoding.Plain), ref uncompressed, ref compressed);
        }

        var dataOffset = fileOffset + output.Length - chunkStart;
        var bitWidth = useDictionary ? RleBitPackedHybridEncoder.BitWidthFor(Math.Max(0, DictionaryCount - 1)) : 0;
        var rowsPerPage = RowsPerPage(useDictionary, bitWidth);
        var pages = 0;
        var valueStart = 0;
        var levels = _levels.AsSpan(0, Column.Required ? 0 : RowCount);
        for (var row = 0; row < RowCount;)
        {
            var rows = Math.Min(rowsPerPage, RowCount - row);
            var definedRows = rows;
            page.Clear();
            if (!Column.Required)
            {
                var pageLevels = levels.Slice(row, rows);
                definedRows = rows - pageLevels.Count((byte)0);
                var lengthAt = page.Length;
                page.WriteInt32LittleEndian(0);
                RleBitPackedHybridEncoder.Encode(pageLevels, 1, page);
                page.PatchInt32LittleEndian(lengthAt, page.Length - lengthAt - 4);
            }
            if (useDictionary)
            {
                page.WriteByte((byte)bitWidth);
                WriteDictionaryIndices(valueStart, definedRows, bitWidth, page);
            }
            else WritePlainValues(valueStart, definedRows, page);

            var encoding = useDictionary ? PageEncoding.RleDictionary : PageEncoding.Plain;
            WritePage(output, context, new PageHeader(PageType.DataPage, page.Length, 0, rows, encoding), ref uncompressed, ref compressed);
            pages++;
            row += rows;
            valueStart += definedRows;
        }

        var encodings = new List<PageEncoding>(3);
        if (useDictionary) encodings.AddRange([PageEncoding.Plain, PageEncoding.RleDictionary]);
        else encodings.Add(PageEncoding.Plain);
        if (!Column.Required) encodings.Add(PageEncoding.Rle);

        var metadata = new ColumnChunkMetaData(
            SchemaElement.PhysicalTypeOf(Column.Type), encodings, Column.Name, context.Compressor.Codec, RowCount,
            uncompressed, compressed, dataOffset, dictionaryOffset, BuildStatistics(NullCount), pages,
            useDictionary ? PageEncoding.RleDictionary : PageEncoding.Plain);
        Reset();
        return metadata;
    }

    private int RowsPerPage(bool useDictionary, int bitWidth)
    {
        if (RowCount == 0) return 1;
        var definedRows = RowCount - NullCount;
        // Average encoded bytes per row, in bits to keep 1-bit indices and levels meaningful.
        var valueBits = useDictionary ? (long)definedRows * bitWidth : PlainValueBytes() * 8;
        var levelBits = Column.Required ? 0 : RowCount;
        var bitsPerRow = Math.Max(1.0, (double)(valueBits + levelBits) / RowCount);
        var rows = (long)(Settings.PageSizeBytes * 8.0 / bitsPerRow);
        return (int)Math.Clamp(rows, 1, ColumnChunkSettings.MaxRowsPerPage);
    }

    private static void WritePage(ByteBuffer output, ChunkEncodingContext context, PageHeader header, ref long uncompressed, ref long compressed)
    {
        var body = context.Page.WrittenSpan;
        var compressedBody = context.CompressedPage;
        compressedBody.Clear();
        var compressedLength = context.Compressor.Compress(body, compressedBody);
        var headerStart = output.Length;
        (header with { CompressedSize = compressedLength }).Write(new ThriftCompactWriter(output));
        var headerLength = output.Length - headerStart;
        output.Write(compressedBody.WrittenSpan);
        uncompressed += headerLength + body.Length;
        compressed += headerLength + compressedLength;
    }

    private void Reset()
    {
        RowCount = 0;
        NullCount = 0;
        ResetValues();
    }

    /// <summary>Decides the chunk's encoding (true: dictionary) and puts the values in that form.</summary>
    protected abstract bool PrepareEncoding();

    protected abstract int DictionaryCount { get; }

    /// <summary>PLAIN-encodes the dictionary entries; returns their count.</summary>
    protected abstract int WriteDictionaryEntries(ByteBuffer page);

    protected abstract void WriteDictionaryIndices(int valueStart, int count, int bitWidth, ByteBuffer page);

    protected abstract void WritePlainValues(int valueStart, int count, ByteBuffer page);

    /// <summary>Size of all buffered non-null values PLAIN-encoded.</summary>
    protected abstract long PlainValueBytes();

    protected abstract StatisticsMetaData BuildStatistics(long nullCount);

    protected abstract void ResetValues();

    /// <summary>Returns pooled buffers.</summary>
    public virtual void Dispose() { }
}
