namespace Ingestion.Omop;

/// <summary>
/// Fills one row of an <see cref="OmopRowBuffer"/> column by column, in the table's column order:
/// <c>rows.Add().Put(key).Put(personId).Null().Put(date)…</c>. Each call fills the next column and returns the writer
/// for the one after; a null (or a nullable without a value) leaves the column null; columns never reached stay null.
/// A value whose type is not its column's (an int into a bigint) or a column past the table's last throws
/// <see cref="ArgumentException"/>: a mapper bug, never bad input.
/// </summary>
public readonly ref struct OmopRowWriter
{
    private readonly OmopRowBuffer _rows;
    private readonly int _row;
    private readonly int _column;

    internal OmopRowWriter(OmopRowBuffer rows, int row, int column = 0)
    {
        _rows = rows;
        _row = row;
        _column = column;
    }

    /// <summary>The row's index in its buffer.</summary>
    public int Row => _row;

    public OmopRowWriter Null()
    {
        _rows.CheckColumn(_column);
        return Next();
    }

    /// <summary>A bigint.</summary>
    public OmopRowWriter Put(long value)
    {
        _rows.SetInt64(_row, _column, value, OmopColumnType.BigInt);
        return Next();
    }

    public OmopRowWriter Put(long? value) => value is { } v ? Put(v) : Null();

    /// <summary>An integer.</summary>
    public OmopRowWriter Put(int value)
    {
        _rows.SetInt32(_row, _column, value, OmopColumnType.Integer);
        return Next();
    }

    public OmopRowWriter Put(int? value) => value is { } v ? Put(v) : Null();

    /// <summary>A float.</summary>
    public OmopRowWriter Put(double value)
    {
        _rows.SetDouble(_row, _column, value);
        return Next();
    }

    public OmopRowWriter Put(double? value) => value is { } v ? Put(v) : Null();

    /// <summary>A varchar; null leaves the column null.</summary>
    public OmopRowWriter Put(string? value)
    {
        if (value is null) return Null();
        _rows.SetString(_row, _column, value);
        return Next();
    }

    public OmopRowWriter Put(DateOnly value)
    {
        _rows.SetInt32(_row, _column, value.DayNumber, OmopColumnType.Date);
        return Next();
    }

    public OmopRowWriter Put(DateOnly? value) => value is { } v ? Put(v) : Null();

    /// <summary>A datetime: UTC (Kind Utc, or Unspecified taken as UTC); a local time is refused, never shifted by the
    /// host's time zone.</summary>
    public OmopRowWriter Put(DateTime value)
    {
        if (value.Kind == DateTimeKind.Local) throw new ArgumentException("A datetime must be UTC, not local.", nameof(value));
        _rows.SetInt64(_row, _column, value.Ticks, OmopColumnType.DateTime);
        return Next();
    }

    public OmopRowWriter Put(DateTime? value) => value is { } v ? Put(v) : Null();

    private OmopRowWriter Next() => new(_rows, _row, _column + 1);
}
