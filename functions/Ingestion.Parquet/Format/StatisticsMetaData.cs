using Ingestion.Parquet.Thrift;

namespace Ingestion.Parquet.Format;

/// <summary>
/// parquet.thrift Statistics. Min/max are PLAIN-encoded without a length prefix and ordered by the column's
/// TYPE_ORDER. The deprecated min/max fields (1, 2) are also set for signed orders so older readers can prune;
/// never for strings, whose order is unsigned byte-wise.
/// </summary>
internal sealed record StatisticsMetaData(byte[]? Min, byte[]? Max, long NullCount, long? NanCount, bool SignedOrder)
{
    public void WriteField(ThriftCompactWriter writer, short fieldId)
    {
        writer.StructFieldBegin(fieldId);
        if (SignedOrder && Max is not null) writer.BinaryField(1, Max);
        if (SignedOrder && Min is not null) writer.BinaryField(2, Min);
        writer.I64Field(3, NullCount);
        if (Max is not null) writer.BinaryField(5, Max);
        if (Min is not null) writer.BinaryField(6, Min);
        if (Max is not null) writer.BoolField(7, true);
        if (Min is not null) writer.BoolField(8, true);
        if (NanCount is { } nanCount) writer.I64Field(9, nanCount);
        writer.StructEnd();
    }
}
