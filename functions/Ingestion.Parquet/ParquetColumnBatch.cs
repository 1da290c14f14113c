using System.Runtime.CompilerServices;

namespace Ingestion.Parquet;

/// <summary>
/// A reusable columnar batch of rows for <see cref="ParquetWriter.WriteBatchAsync"/>: typed arrays per column, no boxing.
/// Fill rows 0..<see cref="RowCount"/>-1 through the typed spans, then write; <see cref="Clear"/> to reuse.
/// Physical forms: Date columns are <see cref="Int32s"/> holding days since 1970-01-01 (<see cref="ParquetValues.ToDays"/>);
/// Timestamp columns are <see cref="Int64s"/> holding microseconds since the Unix epoch, UTC (<see cref="ParquetValues.ToMicros(DateTime)"/>).
/// Nulls: a null string is a null; other OPTIONAL columns mark nulls in <see cref="Nulls"/>.
/// Asking a column for the wrong typed span, or REQUIRED / String columns for null marks, throws
/// <see cref="ParquetSchemaViolationException"/> (<see cref="ParquetErrorCode.WrongValueType"/>,
/// <see cref="ParquetErrorCode.NullInRequiredColumn"/>).
/// </summary>
public sealed class ParquetColumnBatch
{
    private readonly Array[] _values;
    private readonly bool[]?[] _nulls;
    // The columns' types, read per value by the typed accessors (the schema's column list is an interface).
    private readonly ParquetType[] _types;
    private int _rowCount;

    public ParquetColumnBatch(ParquetSchema schema, int capacity)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Schema = schema;
        Capacity = capacity;
        _values = new Array[schema.Columns.Count];
        _nulls = new bool[]?[schema.Columns.Count];
        _types = new ParquetType[schema.Columns.Count];
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            var column = schema.Columns[i];
            _types[i] = column.Type;
            _values[i] = column.Type switch
            {
                ParquetType.Boolean => new bool[capacity],
                ParquetType.Int32 or ParquetType.Date => new int[capacity],
                ParquetType.Int64 or ParquetType.Timestamp => new long[capacity],
                ParquetType.Double => new double[capacity],
                ParquetType.String => new string?[capacity],
                _ => throw new ArgumentOutOfRangeException(nameof(schema), $"Column '{column.Name}' has an unknown type."),
            };
            if (!column.Required && column.Type != ParquetType.String) _nulls[i] = new bool[capacity];
        }
    }

    public ParquetSchema Schema { get; }

    public int Capacity { get; }

    /// <summary>How many rows of the batch are filled (0..Capacity).</summary>
    public int RowCount
    {
        get => _rowCount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Capacity);
            _rowCount = value;
        }
    }

    public Span<bool> Booleans(int column) => Values<bool>(column, ParquetType.Boolean, ParquetType.Boolean);

    /// <summary>Int32 columns, and Date columns as days since 1970-01-01.</summary>
    public Span<int> Int32s(int column) => Values<int>(column, ParquetType.Int32, ParquetType.Date);

    /// <summary>Int64 columns, and Timestamp columns as microseconds since 1970-01-01T00:00:00Z.</summary>
    public Span<long> Int64s(int column) => Values<long>(column, ParquetType.Int64, ParquetType.Timestamp);

    public Span<double> Doubles(int column) => Values<double>(column, ParquetType.Double, ParquetType.Double);

    /// <summary>String columns; null marks a null (allowed in OPTIONAL columns only).</summary>
    public Span<string?> Strings(int column) => Values<string?>(column, ParquetType.String, ParquetType.String);

    /// <summary>Null marks of an OPTIONAL non-string column: true = null (the value slot is ignored).
    /// A REQUIRED column has none, so a null cannot even be set there; String columns mark nulls with null strings.</summary>
    public Span<bool> Nulls(int column) => _nulls[column] ?? throw NoNullMarks(Schema.Columns[column]);

    public int ColumnIndex(string name)
    {
        for (var i = 0; i < Schema.Columns.Count; i++)
            if (Schema.Columns[i].Name == name) return i;
        throw new ArgumentException($"No column named '{name}'.", nameof(name));
    }

    /// <summary>
    /// Copies rows <paramref name="rows"/> of <paramref name="source"/> (a batch of the same schema instance) to rows
    /// <paramref name="at"/>.. of this batch, column by column (values and null marks; no boxing). Does not change
    /// <see cref="RowCount"/>.
    /// </summary>
    public void CopyRowsFrom(ParquetColumnBatch source, ReadOnlySpan<int> rows, int at)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!ReferenceEquals(source.Schema, Schema))
            throw new ArgumentException("The source batch has another schema.", nameof(source));
        ArgumentOutOfRangeException.ThrowIfNegative(at);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(at + rows.Length, Capacity);
        for (var c = 0; c < _values.Length; c++)
        {
            switch (_values[c])
            {
                case long[] target: Gather((long[])source._values[c], rows, target.AsSpan(at)); break;
                case int[] target: Gather((int[])source._values[c], rows, target.AsSpan(at)); break;
                case double[] target: Gather((double[])source._values[c], rows, target.AsSpan(at)); break;
                case string?[] target: Gather((string?[])source._values[c], rows, target.AsSpan(at)); break;
                case bool[] target: Gather((bool[])source._values[c], rows, target.AsSpan(at)); break;
            }
            if (_nulls[c] is { } nulls) Gather(source._nulls[c]!, rows, nulls.AsSpan(at));
        }
    }

    private static void Gather<T>(T[] source, ReadOnlySpan<int> rows, Span<T> target)
    {
        for (var i = 0; i < rows.Length; i++) target[i] = source[rows[i]];
    }

    /// <summary>Empties the batch: RowCount 0, null marks and strings cleared.</summary>
    public void Clear()
    {
        for (var i = 0; i < _values.Length; i++)
        {
            _nulls[i]?.AsSpan().Clear();
            if (_values[i] is string?[] strings) strings.AsSpan().Clear();
        }
        _rowCount = 0;
    }

    private static ParquetSchemaViolationException NoNullMarks(ParquetColumn column) => column.Required
        ? new(ParquetErrorCode.NullInRequiredColumn, $"Column '{column.Name}' is REQUIRED: it has no null marks.", column.Name)
        : new(ParquetErrorCode.WrongValueType, $"Column '{column.Name}' is a String column: a null string marks a null.", column.Name);

    internal Array RawValues(int column) => _values[column];

    internal bool[]? RawNulls(int column) => _nulls[column];

    // Runs per value on the row path: the type is checked against the column's, then the array (made for that type in
    // the constructor) is taken as it is. A cast here would be a runtime lookup per call in the shared code for strings.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<T> Values<T>(int column, ParquetType type, ParquetType alternative)
    {
        var actual = _types[column];
        if (actual != type && actual != alternative) throw WrongType(column, type, alternative);
        return Unsafe.As<T[]>(_values[column]);
    }

    private ParquetSchemaViolationException WrongType(int column, ParquetType type, ParquetType alternative) =>
        new(ParquetErrorCode.WrongValueType,
            $"Column '{Schema.Columns[column].Name}' is {_types[column]}, not {type}{(alternative == type ? "" : " or " + alternative)}.", Schema.Columns[column].Name);
}
