using Ingestion.Parquet.Thrift;

namespace Ingestion.Parquet.Format;

/// <summary>parquet.thrift PageHeader with its DataPageHeader (v1) or DictionaryPageHeader.</summary>
internal readonly record struct PageHeader(PageType Type, int UncompressedSize, int CompressedSize, int ValueCount, PageEncoding Encoding)
{
    public void Write(ThriftCompactWriter writer)
    {
        writer.StructBegin();
        writer.I32Field(1, (int)Type);
        writer.I32Field(2, UncompressedSize);
        writer.I32Field(3, CompressedSize);
        if (Type == PageType.DataPage)
        {
            writer.StructFieldBegin(5);
            writer.I32Field(1, ValueCount);
            writer.I32Field(2, (int)Encoding);
            writer.I32Field(3, (int)PageEncoding.Rle); // definition levels
            writer.I32Field(4, (int)PageEncoding.Rle); // repetition levels (none in a flat schema)
            writer.StructEnd();
        }
        else
        {
            writer.StructFieldBegin(7);
            writer.I32Field(1, ValueCount);
            writer.I32Field(2, (int)Encoding);
            writer.StructEnd();
        }
        writer.StructEnd();
    }
}
