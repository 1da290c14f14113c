using System.Runtime.InteropServices;
using System.Text;
using Ingestion.Parquet.Encodings;
using Ingestion.Parquet.Format;

namespace Ingestion.Parquet.Columns;

/// <summary>
/// BYTE_ARRAY (STRING) columns. A repeated string is looked up by its .NET value and encoded to UTF-8 only the first
/// time; PLAIN keeps UTF-8 bytes plus offsets. Min/max compare UTF-8 bytes unsigned (the STRING sort order), which
/// differs from UTF-16 ordinal order for characters above U+FFFF.
/// </summary>
internal sealed class StringColumnBuffer : ColumnChunkBuffer
{
    /// <summary>Min/max longer than this are left out of the statistics rather than bloating the footer.</summary>
    public const int MaxStatisticsValueBytes = 4096;

    private readonly Dictionary<string, int> _dictionary = new(StringComparer.Ordinal);
    private readonly ByteBuffer _dictionaryBytes = new(64 * 1024);
    private int[] _dictionaryOffsets = new int[257];
    private readonly ByteBuffer _plainBytes = new(64 * 1024);
    private int[] _plainOffsets = new int[1025];
    private int[] _indices = new int[1024];
    private int _valueCount;
    private long _plainEquivalentBytes;
    // Whether each chunk starts on a dictionary: not for a column of distinct values (ParquetColumn.DistinctValues).
    private readonly bool _dictionaryFirst;
    private bool _dictionaryActive;
    // The value appended last and its dictionary index (-1: none): rows of one person, visit or code come together,
    // and a repeat costs one ordinal comparison instead of a hash and a lookup.
    private string? _lastValue;
    private int _lastIndex = -1;

    private byte[]? _min;
    private byte[]? _max;

    public StringColumnBuffer(ParquetColumn column, ColumnChunkSettings settings) : base(column, settings)
    {
        _dictionaryFirst = settings.DictionaryEnabled && !column.DistinctValues;
        _dictionaryActive = _dictionaryFirst;
    }

    protected override long ValueBytes => _dictionaryActive
        ? (long)_valueCount * sizeof(int) + _dictionaryBytes.Length + (long)_dictionary.Count * 2 * sizeof(int)
        : _plainBytes.Length + (long)_valueCount * sizeof(int);

    protected override int DictionaryCount => _dictionary.Count;

    public void AppendRange(ReadOnlySpan<string?> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } value)
            {
                Append(value);
                MarkDefined(1);
            }
            else AppendNull();
        }
    }

    private void Append(string value)
    {
        if (_dictionaryActive)
        {
            if (_lastIndex >= 0 && string.Equals(value, _lastValue))
            {
                AppendIndex(_lastIndex);
                return;
            }
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_dictionary, value, out var exists);
            if (!exists)
            {
                slot = _dictionary.Count - 1;
                AppendUtf8(value, _dictionaryBytes, ref _dictionaryOffsets, slot);
            }
            var index = slot;
            AppendIndex(index);
            if (!exists && _dictionaryBytes.Length + (long)_dictionary.Count * sizeof(int) > Settings.DictionaryPageSizeLimit) FallBackToPlain();
            else (_lastValue, _lastIndex) = (value, index);
        }
        else
        {
            AppendUtf8(value, _plainBytes, ref _plainOffsets, _valueCount);
            Observe(PlainValue(_valueCount));
            _valueCount++;
        }
    }

    private void AppendIndex(int index)
    {
        if (_valueCount == _indices.Length) Array.Resize(ref _indices, _indices.Length * 2);
        _indices[_valueCount++] = index;
        _plainEquivalentBytes += sizeof(int) + EntryLength(index);
    }

    /// <summary>Appends the UTF-8 bytes of entry <paramref name="index"/>; offsets[index + 1] becomes its end.</summary>
    private static void AppendUtf8(string value, ByteBuffer bytes, ref int[] offsets, int index)
    {
        if (index + 2 > offsets.Length) Array.Resize(ref offsets, offsets.Length * 2);
        var written = Encoding.UTF8.GetBytes(value, bytes.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length)));
        bytes.Advance(written);
        offsets[index + 1] = bytes.Length;
    }

    private int EntryLength(int index) => _dictionaryOffsets[index + 1] - _dictionaryOffsets[index];

    private ReadOnlySpan<byte> Entry(int index) =>
        _dictionaryBytes.WrittenSpan[_dictionaryOffsets[index].._dictionaryOffsets[index + 1]];

    private ReadOnlySpan<byte> PlainValue(int index) =>
        _plainBytes.WrittenSpan[_plainOffsets[index].._plainOffsets[index + 1]];

    private void Observe(ReadOnlySpan<byte> value)
    {
        if (_min is null || value.SequenceCompareTo(_min) < 0) _min = value.ToArray();
        if (_max is null || value.SequenceCompareTo(_max) > 0) _max = value.ToArray();
    }

    private void FallBackToPlain()
    {
        _plainBytes.Clear();
        if (_plainOffsets.Length < _indices.Length + 1) _plainOffsets = new int[_indices.Length + 1];
        _plainOffsets[0] = 0;
        for (var i = 0; i < _valueCount; i++)
        {
            _plainBytes.Write(Entry(_indices[i]));
            _plainOffsets[i + 1] = _plainBytes.Length;
        }
        ObserveDictionary();
        _dictionary.Clear();
        _dictionaryBytes.Clear();
        _dictionaryActive = false;
        (_lastValue, _lastIndex) = (null, -1);
    }

    private void ObserveDictionary()
    {
        for (var i = 0; i < _dictionary.Count; i++) Observe(Entry(i));
    }

    protected override bool PrepareEncoding()
    {
        if (!_dictionaryActive) return false;
        var bitWidth = RleBitPackedHybridEncoder.BitWidthFor(Math.Max(0, _dictionary.Count - 1));
        var dictionaryBytes = _dictionaryBytes.Length + (long)_dictionary.Count * sizeof(int) + (long)_valueCount * bitWidth / 8;
        if (_valueCount == 0 || dictionaryBytes >= _plainEquivalentBytes)
        {
            FallBackToPlain();
            return false;
        }
        ObserveDictionary();
        return true;
    }

    protected override int WriteDictionaryEntries(ByteBuffer page)
    {
        for (var i = 0; i < _dictionary.Count; i++) WriteByteArray(Entry(i), page);
        return _dictionary.Count;
    }

    protected override void WriteDictionaryIndices(int valueStart, int count, int bitWidth, ByteBuffer page) =>
        RleBitPackedHybridEncoder.Encode<int>(_indices.AsSpan(valueStart, count), bitWidth, page);

    protected override void WritePlainValues(int valueStart, int count, ByteBuffer page)
    {
        for (var i = valueStart; i < valueStart + count; i++) WriteByteArray(PlainValue(i), page);
    }

    private static void WriteByteArray(ReadOnlySpan<byte> value, ByteBuffer page)
    {
        page.WriteInt32LittleEndian(value.Length);
        page.Write(value);
    }

    protected override long PlainValueBytes() => _plainBytes.Length + (long)_valueCount * sizeof(int);

    protected override StatisticsMetaData BuildStatistics(long nullCount)
    {
        var tooLong = _min is null || _min.Length > MaxStatisticsValueBytes || _max!.Length > MaxStatisticsValueBytes;
        return tooLong
            ? new StatisticsMetaData(null, null, nullCount, null, SignedOrder: false)
            : new StatisticsMetaData(_min, _max, nullCount, null, SignedOrder: false);
    }

    protected override void ResetValues()
    {
        _valueCount = 0;
        _plainEquivalentBytes = 0;
        _dictionary.Clear();
        _dictionaryBytes.Clear();
        _plainBytes.Clear();
        _dictionaryActive = _dictionaryFirst;
        (_lastValue, _lastIndex) = (null, -1);
        _min = _max = null;
    }

    public override void Dispose()
    {
        _dictionaryBytes.Dispose();
        _plainBytes.Dispose();
    }
}
