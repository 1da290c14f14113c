using Ingestion.Parquet.Encodings;
using Ingestion.Parquet.Format;

namespace Ingestion.Parquet.Columns;

/// <summary>BOOLEAN columns: always PLAIN (bit-packed); a dictionary cannot beat one bit per value.</summary>
internal sealed class BooleanColumnBuffer(ParquetColumn column, ColumnChunkSettings settings) : ColumnChunkBuffer(column, settings)
{
    private bool[] _values = new bool[1024];
    private int _valueCount;
    private bool _hasFalse;
    private bool _hasTrue;

    protected override long ValueBytes => _valueCount;

    protected override int DictionaryCount => 0;

    public void AppendRange(ReadOnlySpan<bool> values, ReadOnlySpan<bool> nulls)
    {
        Ensure(values.Length);
        if (nulls.IsEmpty)
        {
            foreach (var value in values) Append(value);
            MarkDefined(values.Length);
            return;
        }
        for (var i = 0; i < values.Length; i++)
            if (!nulls[i]) Append(values[i]);
        MarkRows(nulls);
    }

    private void Append(bool value)
    {
        Ensure(1);
        _values[_valueCount++] = value;
        if (value) _hasTrue = true;
        else _hasFalse = true;
    }

    private void Ensure(int more)
    {
        if (_valueCount + more > _values.Length) Array.Resize(ref _values, Math.Max(_values.Length * 2, _valueCount + more));
    }

    protected override bool PrepareEncoding() => false;

    protected override int WriteDictionaryEntries(ByteBuffer page) => throw new InvalidOperationException("BOOLEAN columns have no dictionary.");

    protected override void WriteDictionaryIndices(int valueStart, int count, int bitWidth, ByteBuffer page) =>
        throw new InvalidOperationException("BOOLEAN columns have no dictionary.");

    protected override void WritePlainValues(int valueStart, int count, ByteBuffer page) =>
        PlainEncoder.WriteBooleans(_values.AsSpan(valueStart, count), page);

    protected override long PlainValueBytes() => (_valueCount + 7) / 8;

    protected override StatisticsMetaData BuildStatistics(long nullCount)
    {
        if (!_hasFalse && !_hasTrue) return new StatisticsMetaData(null, null, nullCount, null, SignedOrder: true);
        byte[] min = [_hasFalse ? (byte)0 : (byte)1];
        byte[] max = [_hasTrue ? (byte)1 : (byte)0];
        return new StatisticsMetaData(min, max, nullCount, null, SignedOrder: true);
    }

    protected override void ResetValues()
    {
        _valueCount = 0;
        _hasFalse = _hasTrue = false;
    }
}
