namespace Ingestion.Omop.Tests;

/// <summary>
/// Keeps mapped rows per table and checks each against its table definition as it arrives: column count, value
/// type per column type, required columns non-null, varchar lengths. A mapper bug fails the test at the row.
/// </summary>
internal sealed class RecordingSink : IOmopRowSink
{
    public Dictionary<string, List<object?[]>> Rows { get; } = new(StringComparer.Ordinal);
    public PersonDateRange Dates { get; } = new();

    public void Add(OmopTable table, object?[] row)
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
        if (!Rows.TryGetValue(table.Name, out var list)) Rows[table.Name] = list = [];
        list.Add(row);
    }

    public void ObservePersonDate(long personId, DateOnly date) => Dates.Observe(personId, date);

    /// <summary>The export's date the mapping caps inferred dates at (null: no cap).</summary>
    public DateOnly? LatestDate { get; init; }

    public IReadOnlyList<object?[]> Of(OmopTable table) => Rows.TryGetValue(table.Name, out var list) ? list : [];

    public object? Value(OmopTable table, object?[] row, string column) => row[table.IndexOf(column)];
}
