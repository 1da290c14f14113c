namespace Ingestion.Omop.Tests;

/// <summary>
/// Rows the mapper committed (it maps into this sink's <see cref="MappedRows"/>), read back per table as boxed values
/// in column order and checked against the table definition: column count, value type per column type, required
/// columns non-null, varchar lengths. A mapper bug fails the test at the row.
/// </summary>
internal sealed class RecordingSink
{
    private MappedRows? _mapped;
    private readonly List<(OmopTable Table, object?[] Row)> _added = [];
    private Dictionary<string, List<object?[]>>? _rows;
    private int _rowsAt = -1;

    /// <summary>The export's date the mapping caps inferred dates at (null: no cap).</summary>
    public DateOnly? LatestDate { get; init; }

    public MappedRows Mapped => _mapped ??= new MappedRows(LatestDate);

    public static implicit operator MappedRows(RecordingSink sink) => sink.Mapped;

    public PersonDateRange Dates => Mapped.PersonDates;

    /// <summary>Every row so far, per table, in the order the mapper committed them.</summary>
    public Dictionary<string, List<object?[]>> Rows
    {
        get
        {
            if (_rows is not null && _rowsAt == Mapped.Rows.Count + _added.Count) return _rows;
            var rows = new Dictionary<string, List<object?[]>>(StringComparer.Ordinal);
            foreach (var (buffer, row) in Mapped.Rows) Record(rows, buffer.Table, Box(buffer, row));
            foreach (var (table, row) in _added) Record(rows, table, row);
            _rowsAt = Mapped.Rows.Count + _added.Count;
            return _rows = rows;
        }
    }

    /// <summary>Checks and keeps a row made outside the mapper (the reduce steps' rows).</summary>
    public void Add(OmopTable table, object?[] row)
    {
        Check(table, row);
        _added.Add((table, row));
    }

    public IReadOnlyList<object?[]> Of(OmopTable table) => Rows.TryGetValue(table.Name, out var list) ? list : [];

    public object? Value(OmopTable table, object?[] row, string column) => row[table.IndexOf(column)];

    /// <summary>A typed row as boxed values in column order.</summary>
    public static object?[] Box(OmopRowBuffer rows, int row)
    {
        var columns = rows.Table.Columns;
        var values = new object?[columns.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (rows.IsNull(row, i)) continue;
            values[i] = columns[i].Type switch
            {
                OmopColumnType.BigInt => rows.Int64(row, i),
                OmopColumnType.Integer => rows.Int32(row, i),
                OmopColumnType.Float => rows.Double(row, i),
                OmopColumnType.Varchar => rows.String(row, i),
                OmopColumnType.Date => rows.Date(row, i),
                OmopColumnType.DateTime => rows.DateTime(row, i),
                _ => throw new InvalidOperationException("unknown column type"),
            };
        }
        return values;
    }

    private static void Record(Dictionary<string, List<object?[]>> rows, OmopTable table, object?[] row)
    {
        Check(table, row);
        if (!rows.TryGetValue(table.Name, out var list)) rows[table.Name] = list = [];
        list.Add(row);
    }

    private static void Check(OmopTable table, object?[] row)
    {
        Assert.Equal(table.Columns.Count, row.Length);
        for (var i = 0; i < row.Length; i++)
        {
            var column = table.Columns[i];
            var value = row[i];
            if (value is null)
            {
                Assert.False(column.Required, $"{table.Name}.{column.Name} is required but null");
                continue;
            }
            var ok = column.Type switch
            {
                OmopColumnType.BigInt => value is long,
                OmopColumnType.Integer => value is int,
                OmopColumnType.Float => value is double,
                OmopColumnType.Varchar => value is string s && (column.MaxLength is null || s.Length <= column.MaxLength),
                OmopColumnType.Date => value is DateOnly,
                OmopColumnType.DateTime => value is DateTime { Kind: DateTimeKind.Utc },
                _ => false,
            };
            Assert.True(ok, $"{table.Name}.{column.Name}: {value.GetType().Name} does not fit {column.Type}({column.MaxLength})");
        }
    }
}
