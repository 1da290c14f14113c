using Ingestion.Parquet.Thrift;

namespace Ingestion.Parquet.Format;

/// <summary>parquet.thrift ColumnChunk with its ColumnMetaData and PageEncodingStats.</summary>
internal sealed record ColumnChunkMetaData(
    PhysicalType Type,
    IReadOnlyList<PageEncoding> Encodings,
    string Path,
    CompressionCodec Codec,
    long ValueCount,
    long TotalUncompressedSize,
    long TotalCompressedSize,
    long DataPageOffset,
    long? DictionaryPageOffset,
    StatisticsMetaData Statistics,
    int DataPageCount,
    PageEncoding DataPageEncoding)
{
    public void Write(ThriftCompactWriter writer)
    {
        writer.StructBegin();
        writer.I64Field(2, 0); // file_offset: deprecated, 0 when no ColumnMetaData is written outside the footer
        writer.StructFieldBegin(3);
        writer.I32Field(1, (int)Type);
        writer.ListFieldBegin(2, ThriftCompactWriter.ElementType.I32, Encodings.Count);
        foreach (var encoding in Encodings) writer.I32((int)encoding);
        writer.ListFieldBegin(3, ThriftCompactWriter.ElementType.Binary, 1);
        writer.String(Path);
        writer.I32Field(4, (int)Codec);
        writer.I64Field(5, ValueCount);
        writer.I64Field(6, TotalUncompressedSize);
        writer.I64Field(7, TotalCompressedSize);
        writer.I64Field(9, DataPageOffset);
        if (DictionaryPageOffset is { } dictionaryOffset) writer.I64Field(11, dictionaryOffset);
        Statistics.WriteField(writer, 12);
        WriteEncodingStats(writer);
        writer.StructEnd();
        writer.StructEnd();
    }

    private void WriteEncodingStats(ThriftCompactWriter writer)
    {
        var hasDictionary = DictionaryPageOffset is not null;
        writer.ListFieldBegin(13, ThriftCompactWriter.ElementType.Struct, hasDictionary ? 2 : 1);
        if (hasDictionary) EncodingStats(writer, PageType.DictionaryPage, PageEncoding.Plain, 1);
        EncodingStats(writer, PageType.DataPage, DataPageEncoding, DataPageCount);
    }

    private static void EncodingStats(ThriftCompactWriter writer, PageType pageType, PageEncoding encoding, int count)
    {
        writer.StructBegin();
        writer.I32Field(1, (int)pageType);
        writer.I32Field(2, (int)encoding);
        writer.I32Field(3, count);
        writer.StructEnd();
    }
}
