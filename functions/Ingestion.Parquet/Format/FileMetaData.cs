using Ingestion.Parquet.Thrift;

namespace Ingestion.Parquet.Format;

/// <summary>parquet.thrift FileMetaData: the footer.</summary>
internal sealed record FileMetaData(
    ParquetSchema Schema,
    long RowCount,
    IReadOnlyList<RowGroupMetaData> RowGroups,
    IReadOnlyDictionary<string, string> KeyValueMetadata,
    string CreatedBy)
{
    public void Write(ThriftCompactWriter writer)
    {
        var columns = Schema.Columns;
        writer.StructBegin();
        writer.I32Field(1, 1); // version: the spec asks writers for 1, the value every reader accepts
        writer.ListFieldBegin(2, ThriftCompactWriter.ElementType.Struct, columns.Count + 1);
        SchemaElement.WriteRoot(writer, columns.Count);
        foreach (var column in columns) SchemaElement.WriteLeaf(writer, column);
        writer.I64Field(3, RowCount);
        writer.ListFieldBegin(4, ThriftCompactWriter.ElementType.Struct, RowGroups.Count);
        foreach (var rowGroup in RowGroups) rowGroup.Write(writer);
        if (KeyValueMetadata.Count > 0)
        {
            writer.ListFieldBegin(5, ThriftCompactWriter.ElementType.Struct, KeyValueMetadata.Count);
            foreach (var (key, value) in KeyValueMetadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.StructBegin();
                writer.StringField(1, key);
                if (value is not null) writer.StringField(2, value); // value is optional in KeyValue
                writer.StructEnd();
            }
        }
        writer.StringField(6, CreatedBy);
        // column_orders makes min_value/max_value well defined (TYPE_ORDER for every leaf).
        writer.ListFieldBegin(7, ThriftCompactWriter.ElementType.Struct, columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            writer.StructBegin();
            writer.EmptyStructField(1);
            writer.StructEnd();
        }
        writer.StructEnd();
    }
}
