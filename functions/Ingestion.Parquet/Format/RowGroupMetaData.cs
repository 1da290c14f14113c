using Ingestion.Parquet.Thrift;

namespace Ingestion.Parquet.Format;

/// <summary>parquet.thrift RowGroup.</summary>
internal sealed record RowGroupMetaData(IReadOnlyList<ColumnChunkMetaData> Columns, long RowCount, long FileOffset, short? Ordinal)
{
    public void Write(ThriftCompactWriter writer)
    {
        writer.StructBegin();
        writer.ListFieldBegin(1, ThriftCompactWriter.ElementType.Struct, Columns.Count);
        foreach (var column in Columns) column.Write(writer);
        writer.I64Field(2, Columns.Sum(c => c.TotalUncompressedSize));
        writer.I64Field(3, RowCount);
        writer.I64Field(5, FileOffset);
        writer.I64Field(6, Columns.Sum(c => c.TotalCompressedSize));
        if (Ordinal is { } ordinal) writer.I16Field(7, ordinal);
        writer.StructEnd();
    }
}
