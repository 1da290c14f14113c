using System.Diagnostics.CodeAnalysis;

namespace Ingestion.Omop;

/// <summary>
/// Rows of one OMOP table held as typed columns, so values travel from the mapper to the Parquet column encoders
/// without boxing: bigint as <see cref="long"/>, integer as <see cref="int"/>, float as <see cref="double"/>, varchar as
/// <see cref="string"/>, date as its <see cref="DateOnly.DayNumber"/>, datetime as UTC ticks; a null is a bit per row
/// and column. Rows are appended with <see cref="Add"/> (every column null until put) and read back by index. Reused
/// across resources (<see cref="Clear"/>); capacity grows to the largest batch seen. Not thread-safe.
/// </summary>
public sealed class OmopRowBuffer
{
    // One null bit per column in a ulong per row.
    private const int MaxColumns = 64;

    private readonly OmopColumnType[] _types;
    private readonly long[]?[] _int64s;
    private readonly int[]?[] _int32s;
    private readonly double[]?[] _doubles;
    private readonly string?[]?[] _strings;
    private readonly ulong _allNull;
    private ulong[] _nulls;
    private int _count;

    public OmopRowBuffer(OmopTable table, int capacity = 4)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        var columns = table.Columns.Count;
        if (columns > MaxColumns) throw new ArgumentException($"Table '{table.Name}' has more than {MaxColumns} columns.", nameof(table));
        Table = table;
        _types = new OmopColumnType[columns];
        _int64s = new long[]?[columns];
        _int32s = new int[]?[columns];
        _doubles = new double[]?[columns];
        _strings = new string?[]?[columns];
        for (var i = 0; i < columns; i++)
        {
            _types[i] = table.Columns[i].Type;
            switch (_types[i])
            {
                case OmopColumnType.BigInt or OmopColumnType.DateTime: _int64s[i] = new long[capacity]; break;
                case OmopColumnType.Integer or OmopColumnType.Date: _int32s[i] = new int[capacity]; break;
                case OmopColumnType.Float: _doubles[i] = new double[capacity]; break;
                case OmopColumnType.Varchar: _strings[i] = new string?[capacity]; break;
                default: throw new ArgumentException($"Column '{table.Columns[i].Name}' has an unknown type.", nameof(table));
            }
        }
        _allNull = columns == MaxColumns ? ulong.MaxValue : (1UL << columns) - 1;
        _nulls = new ulong[capacity];
        for (var i = 0; i < columns; i++)
        {
            if (table.Columns[i].Required) RequiredColumns |= 1UL << i;
        }
    }

    public OmopTable Table { get; }

    /// <summary>The column types in column order: what per-row readers loop over (the table's column list is an
    /// interface, a dispatch per column and row).</summary>
    public ReadOnlySpan<OmopColumnType> ColumnTypes => _types;

    /// <summary>The REQUIRED columns: bit i set = column i is required (same layout as <see cref="Nulls"/>).</summary>
    public ulong RequiredColumns { get; }

    public int Count => _count;

    /// <summary>Appends a row with every column null; put its values, in column order, through the writer.</summary>
    public OmopRowWriter Add()
    {
        if (_count == _nulls.Length) Grow();
        _nulls[_count] = _allNull;
        return new OmopRowWriter(this, _count++);
    }

    /// <summary>Appends a row given as boxed values in column order (rows read back from staging, where values arrive
    /// boxed): each value must be of its column's type, or null.</summary>
    public void AddBoxed(object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != _types.Length)
            throw new ArgumentException($"A {Table.Name} row has {_types.Length} values, not {values.Length}.", nameof(values));
        var row = Add();
        for (var i = 0; i < values.Length; i++)
        {
            switch (values[i])
            {
                case null: row = row.Null(); break;
                case long v: row = row.Put(v); break;
                case int v: row = row.Put(v); break;
                case double v: row = row.Put(v); break;
                case string v: row = row.Put(v); break;
                case DateOnly v: row = row.Put(v); break;
                case DateTime v: row = row.Put(v); break;
                default: throw new ArgumentException($"{Table.Name}.{Table.Columns[i].Name} got a value of an unsupported type.", nameof(values));
            }
        }
    }

    /// <summary>Drops every row from <paramref name="count"/> on (a resource that did not map).</summary>
    public void Truncate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count >= _count) return;
        foreach (var strings in _strings) strings?.AsSpan(count, _count - count).Clear();
        _count = count;
    }

    public void Clear() => Truncate(0);

    public bool IsNull(int row, int column) => (Nulls(row) & (1UL << column)) != 0;

    /// <summary>The null bits of a row: bit i set = column i is null.</summary>
    public ulong Nulls(int row)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)_count, nameof(row));
        return _nulls[row];
    }

    /// <summary>A bigint column's value (unspecified when null: see <see cref="IsNull"/>).</summary>
    public long Int64(int row, int column) => Column(_int64s, row, column, OmopColumnType.BigInt)[row];

    /// <summary>An integer column's value (unspecified when null: see <see cref="IsNull"/>).</summary>
    public int Int32(int row, int column) => Column(_int32s, row, column, OmopColumnType.Integer)[row];

    /// <summary>A float column's value (unspecified when null: see <see cref="IsNull"/>).</summary>
    public double Double(int row, int column) => Column(_doubles, row, column, OmopColumnType.Float)[row];

    /// <summary>A varchar column's value (null when null).</summary>
    public string? String(int row, int column) => Column(_strings, row, column, OmopColumnType.Varchar)[row];

    /// <summary>A date column's value as <see cref="DateOnly.DayNumber"/> (unspecified when null).</summary>
    public int DayNumber(int row, int column) => Column(_int32s, row, column, OmopColumnType.Date)[row];

    public DateOnly Date(int row, int column) => DateOnly.FromDayNumber(DayNumber(row, column));

    /// <summary>A datetime column's value as UTC ticks (unspecified when null).</summary>
    public long Ticks(int row, int column) => Column(_int64s, row, column, OmopColumnType.DateTime)[row];

    public DateTime DateTime(int row, int column) => new(Ticks(row, column), DateTimeKind.Utc);

    /// <summary>A bigint column's value, or null.</summary>
    public long? NullableInt64(int row, int column) => IsNull(row, column) ? null : Int64(row, column);

    /// <summary>An integer column's value, or null.</summary>
    public int? NullableInt32(int row, int column) => IsNull(row, column) ? null : Int32(row, column);

    /// <summary>A date column's value, or null.</summary>
    public DateOnly? NullableDate(int row, int column) => IsNull(row, column) ? null : Date(row, column);

    internal void SetInt64(int row, int column, long value, OmopColumnType type)
    {
        Column(_int64s, row, column, type)[row] = value;
        _nulls[row] &= ~(1UL << column);
    }

    internal void SetInt32(int row, int column, int value, OmopColumnType type)
    {
        Column(_int32s, row, column, type)[row] = value;
        _nulls[row] &= ~(1UL << column);
    }

    internal void SetDouble(int row, int column, double value)
    {
        Column(_doubles, row, column, OmopColumnType.Float)[row] = value;
        _nulls[row] &= ~(1UL << column);
    }

    internal void SetString(int row, int column, string value)
    {
        Column(_strings, row, column, OmopColumnType.Varchar)[row] = value;
        _nulls[row] &= ~(1UL << column);
    }

    internal void CheckColumn(int column)
    {
        if ((uint)column >= (uint)_types.Length) ThrowNoSuchColumn(column);
    }

    private T[] Column<T>(T[]?[] columns, int row, int column, OmopColumnType type)
    {
        CheckColumn(column);
        // A value of the wrong type is a mapper bug: never caught as bad input.
        if (_types[column] != type) ThrowWrongType(column, type);
        return columns[column]!;
    }

    // Throws kept out of the checks above, so that they inline into every Put (several per row).
    [DoesNotReturn]
    private void ThrowNoSuchColumn(int column) =>
        throw new ArgumentOutOfRangeException(nameof(column), $"Table '{Table.Name}' has {_types.Length} columns.");

    [DoesNotReturn]
    private void ThrowWrongType(int column, OmopColumnType type) =>
        throw new ArgumentException($"{Table.Name}.{Table.Columns[column].Name} is {_types[column]}, not {type}.", nameof(column));

    private void Grow()
    {
        var capacity = _nulls.Length * 2;
        Array.Resize(ref _nulls, capacity);
        for (var i = 0; i < _types.Length; i++)
        {
            if (_int64s[i] is not null) Array.Resize(ref _int64s[i], capacity);
            if (_int32s[i] is not null) Array.Resize(ref _int32s[i], capacity);
            if (_doubles[i] is not null) Array.Resize(ref _doubles[i], capacity);
            if (_strings[i] is not null) Array.Resize(ref _strings[i], capacity);
        }
    }
}
