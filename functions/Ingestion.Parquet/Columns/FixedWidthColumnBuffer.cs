using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ingestion.Parquet.Encodings;
using Ingestion.Parquet.Format;

namespace Ingestion.Parquet.Columns;

/// <summary>
/// INT32 / INT64 / DOUBLE columns (DATE and TIMESTAMP are INT32 / INT64 here). While the dictionary stays under its
/// limit only indices are kept; past it the chunk falls back to PLAIN. Dictionary keys are the value's bits
/// (<typeparamref name="TBits"/>) so -0.0 and +0.0, and NaN payloads, stay distinct.
/// </summary>
internal sealed class FixedWidthColumnBuffer<T, TBits> : ColumnChunkBuffer
    where T : unmanaged, INumber<T>
    where TBits : unmanaged, IEquatable<TBits>
{
    private static readonly int ValueSize = Unsafe.SizeOf<T>();

    private readonly FixedWidthDictionary<T, TBits> _dictionary = new();
    private T[] _values = new T[1024];
    private int[] _indices = new int[1024];
    private int _valueCount;
    // Whether each chunk starts on a dictionary: not for a column of distinct values (ParquetColumn.DistinctValues).
    private readonly bool _dictionaryFirst;
    private bool _dictionaryActive;

    private bool _hasMinMax;
    private T _min;
    private T _max;
    private long _nanCount;

    public FixedWidthColumnBuffer(ParquetColumn column, ColumnChunkSettings settings) : base(column, settings)
    {
        if (Unsafe.SizeOf<TBits>() != ValueSize) throw new ArgumentException("TBits must have the size of T.");
        _dictionaryFirst = settings.DictionaryEnabled && !column.DistinctValues;
        _dictionaryActive = _dictionaryFirst;
    }

    protected override long ValueBytes => _dictionaryActive
        ? (long)_valueCount * sizeof(int) + (long)_dictionary.Count * ValueSize
        : (long)_valueCount * ValueSize;

    protected override int DictionaryCount => _dictionary.Count;

    /// <summary>Appends a batch slice: <paramref name="values"/> holds one slot per row, read only where not null.</summary>
    public void AppendRange(ReadOnlySpan<T> values, ReadOnlySpan<bool> nulls)
    {
        EnsureValues(values.Length);
        if (nulls.IsEmpty)
        {
            AppendDefined(values);
            MarkDefined(values.Length);
            return;
        }
        // Run by run of defined values (a null appends no value).
        for (var at = 0; at < values.Length;)
        {
            var defined = nulls[at..].IndexOf(true);
            if (defined < 0) defined = values.Length - at;
            AppendDefined(values.Slice(at, defined));
            at += defined;
            var skipped = nulls[at..].IndexOf(false);
            at = skipped < 0 ? values.Length : at + skipped;
        }
        MarkRows(nulls);
    }

    /// <summary>Appends values (room reserved by <see cref="EnsureValues"/>): as indices while the dictionary stays
    /// under its page limit, then plain. The limit is crossed at the same value as when values came one at a time.</summary>
    private void AppendDefined(ReadOnlySpan<T> values)
    {
        if (_dictionaryActive)
        {
            var maxCount = Settings.DictionaryPageSizeLimit / ValueSize;
            var taken = _dictionary.IndexRange(values, _indices.AsSpan(_valueCount, values.Length), maxCount);
            _valueCount += taken;
            if (_dictionary.Count <= maxCount) return;
            FallBackToPlain();
            values = values[taken..];
        }
        values.CopyTo(_values.AsSpan(_valueCount));
        _valueCount += values.Length;
        foreach (var value in values) Observe(value);
    }

    private void EnsureValues(int more)
    {
        var needed = _valueCount + more;
        if (_dictionaryActive && needed > _indices.Length) Array.Resize(ref _indices, Math.Max(_indices.Length * 2, needed));
        if (!_dictionaryActive && needed > _values.Length) Array.Resize(ref _values, Math.Max(_values.Length * 2, needed));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Observe(T value)
    {
        if (T.IsNaN(value))
        {
            _nanCount++;
            return;
        }
        if (!_hasMinMax)
        {
            _min = _max = value;
            _hasMinMax = true;
            return;
        }
        if (value < _min) _min = value;
        if (value > _max) _max = value;
    }

    /// <summary>Turns the indices back into values: from here on the chunk is PLAIN.</summary>
    private void FallBackToPlain()
    {
        if (_values.Length < _indices.Length) _values = new T[_indices.Length];
        var distinct = _dictionary.Values;
        for (var i = 0; i < _valueCount; i++) _values[i] = distinct[_indices[i]];
        foreach (var value in distinct) Observe(value);
        _dictionary.Clear();
        _dictionaryActive = false;
    }

    protected override bool PrepareEncoding()
    {
        if (!_dictionaryActive) return false;
        // Dictionary only when it is smaller than PLAIN: dictionary page plus bit-packed indices.
        var bitWidth = RleBitPackedHybridEncoder.BitWidthFor(Math.Max(0, _dictionary.Count - 1));
        var dictionaryBytes = (long)_dictionary.Count * ValueSize + (long)_valueCount * bitWidth / 8;
        if (_valueCount == 0 || dictionaryBytes >= (long)_valueCount * ValueSize)
        {
            FallBackToPlain();
            return false;
        }
        foreach (var value in _dictionary.Values) Observe(value);
        return true;
    }

    protected override int WriteDictionaryEntries(ByteBuffer page)
    {
        PlainEncoder.WriteFixedWidth<T>(_dictionary.Values, page);
        return _dictionary.Count;
    }

    protected override void WriteDictionaryIndices(int valueStart, int count, int bitWidth, ByteBuffer page) =>
        RleBitPackedHybridEncoder.Encode<int>(_indices.AsSpan(valueStart, count), bitWidth, page);

    protected override void WritePlainValues(int valueStart, int count, ByteBuffer page) =>
        PlainEncoder.WriteFixedWidth<T>(_values.AsSpan(valueStart, count), page);

    protected override long PlainValueBytes() => (long)_valueCount * ValueSize;

    protected override StatisticsMetaData BuildStatistics(long nullCount)
    {
        byte[]? min = null, max = null;
        if (_hasMinMax)
        {
            var (low, high) = (_min, _max);
            if (typeof(T) == typeof(double))
            {
                // TYPE_ORDER rule for floating point: a zero minimum is written as -0.0, a zero maximum as +0.0.
                if (T.IsZero(low)) low = T.CreateTruncating(double.NegativeZero);
                if (T.IsZero(high)) high = T.Zero;
            }
            min = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in low)).ToArray();
            max = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in high)).ToArray();
        }
        return new StatisticsMetaData(min, max, nullCount, typeof(T) == typeof(double) ? _nanCount : null, SignedOrder: true);
    }

    protected override void ResetValues()
    {
        _valueCount = 0;
        _dictionary.Clear();
        _dictionaryActive = _dictionaryFirst;
        _hasMinMax = false;
        _min = _max = T.Zero;
        _nanCount = 0;
    }
}
