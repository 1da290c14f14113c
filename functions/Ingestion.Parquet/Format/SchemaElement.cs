using Ingestion.Parquet.Thrift;

namespace Ingestion.Parquet.Format;

/// <summary>parquet.thrift SchemaElement for the root group and the flat leaf columns, with LogicalType and the matching ConvertedType.</summary>
internal static class SchemaElement
{
    public static void WriteRoot(ThriftCompactWriter writer, int childCount)
    {
        writer.StructBegin();
        writer.StringField(4, "schema");
        writer.I32Field(5, childCount);
        writer.StructEnd();
    }

    public static void WriteLeaf(ThriftCompactWriter writer, ParquetColumn column)
    {
        writer.StructBegin();
        writer.I32Field(1, (int)PhysicalTypeOf(column.Type));
        writer.I32Field(3, (int)(column.Required ? FieldRepetitionType.Required : FieldRepetitionType.Optional));
        writer.StringField(4, column.Name);
        switch (column.Type)
        {
            case ParquetType.String:
                writer.I32Field(6, (int)ConvertedType.Utf8);
                writer.StructFieldBegin(10);
                writer.EmptyStructField(1); // STRING
                writer.StructEnd();
                break;
            case ParquetType.Date:
                writer.I32Field(6, (int)ConvertedType.Date);
                writer.StructFieldBegin(10);
                writer.EmptyStructField(6); // DATE
                writer.StructEnd();
                break;
            case ParquetType.Timestamp:
                writer.I32Field(6, (int)ConvertedType.TimestampMicros);
                writer.StructFieldBegin(10);
                writer.StructFieldBegin(8); // TIMESTAMP
                writer.BoolField(1, true); // isAdjustedToUTC
                writer.StructFieldBegin(2); // unit
                writer.EmptyStructField(2); // MICROS
                writer.StructEnd();
                writer.StructEnd();
                writer.StructEnd();
                break;
        }
        writer.StructEnd();
    }

    public static PhysicalType PhysicalTypeOf(ParquetType type) => type switch
    {
        ParquetType.Boolean => PhysicalType.Boolean,
        ParquetType.Int32 or ParquetType.Date => PhysicalType.Int32,
        ParquetType.Int64 or ParquetType.Timestamp => PhysicalType.Int64,
        ParquetType.Double => PhysicalType.Double,
        ParquetType.String => PhysicalType.ByteArray,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
