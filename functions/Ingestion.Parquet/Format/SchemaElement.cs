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
                Annotate(writer, ConvertedType.Utf8, w => w.EmptyStructField(1)); // STRING
                break;
            case ParquetType.Date:
                Annotate(writer, ConvertedType.Date, w => w.EmptyStructField(6)); // DATE
                break;
            case ParquetType.Timestamp:
                Annotate(writer, ConvertedType.TimestampMicros, w =>
                {
                    w.StructFieldBegin(8); // TIMESTAMP
                    w.BoolField(1, true); // isAdjustedToUTC
                    w.StructFieldBegin(2); // unit
                    w.EmptyStructField(2); // MICROS
                    w.StructEnd();
                    w.StructEnd();
                });
                break;
        }
        writer.StructEnd();
    }

    // The spec asks writers of a LogicalType to also set the matching ConvertedType for older readers.
    private static void Annotate(ThriftCompactWriter writer, ConvertedType convertedType, Action<ThriftCompactWriter> logicalType)
    {
        writer.I32Field(6, (int)convertedType);
        writer.StructFieldBegin(10);
        logicalType(writer);
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
