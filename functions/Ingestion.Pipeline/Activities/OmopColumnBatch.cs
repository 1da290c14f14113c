using System.Numerics;
using Ingestion.Omop;
using Ingestion.Parquet;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Copies typed OMOP rows (<see cref="OmopRowBuffer"/>) into a Parquet column batch of the table's schema
/// (<see cref="OmopParquetSchemas"/>): value for value, no boxing; dates become days since 1970-01-01 and datetimes
/// microseconds since the Unix epoch, the batch's physical forms.
/// </summary>
/// <remarks>Runs for every row the file activity writes. The per-column decisions (type, required) are made once per
/// table here: a row is copied kind by kind, each a loop over that kind's columns, rather than through a switch on
/// every value's type (a branch the CPU mispredicts from column to column).</remarks>
internal sealed class OmopColumnBatch
{
    private readonly OmopTable _table;
    private readonly int[] _strings;
    private readonly int[] _int64s;
    private readonly int[] _int32s;
    private readonly int[] _doubles;
    private readonly int[] _dates;
    private readonly int[] _dateTimes;
    // OPTIONAL columns other than strings: they carry null marks (a null string marks itself).
    private readonly ulong _marked;
    // REQUIRED columns other than strings: a null there is refused here (a null string by the batch write).
    private readonly ulong _refused;

    public OmopColumnBatch(OmopTable table, ParquetColumnBatch batch)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Schema.Columns.Count != table.Columns.Count) throw new ArgumentException($"The batch is not of {table.Name}'s schema.", nameof(batch));
        _table = table;
        Batch = batch;
        List<int> strings = [], int64s = [], int32s = [], doubles = [], dates = [], dateTimes = [];
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var column = table.Columns[i];
            var kind = column.Type switch
            {
                OmopColumnType.Varchar => strings,
                OmopColumnType.BigInt => int64s,
                OmopColumnType.Integer => int32s,
                OmopColumnType.Float => doubles,
                OmopColumnType.Date => dates,
                OmopColumnType.DateTime => dateTimes,
                _ => throw new ArgumentException($"Column '{column.Name}' has an unknown type.", nameof(table)),
            };
            kind.Add(i);
            if (column.Type == OmopColumnType.Varchar) continue;
            if (column.Required) _refused |= 1UL << i;
            else _marked |= 1UL << i;
        }
        (_strings, _int64s, _int32s, _doubles, _dates, _dateTimes) =
            (strings.ToArray(), int64s.ToArray(), int32s.ToArray(), doubles.ToArray(), dates.ToArray(), dateTimes.ToArray());
    }

    /// <summary>The batch rows are copied into.</summary>
    public ParquetColumnBatch Batch { get; }

    /// <summary>Copies row <paramref name="row"/> of <paramref name="rows"/> (a buffer of this table) to the batch's next
    /// row and counts it in <see cref="ParquetColumnBatch.RowCount"/>.</summary>
    public void Add(OmopRowBuffer rows, int row)
    {
        if (!ReferenceEquals(rows.Table, _table)) throw new ArgumentException($"A {rows.Table.Name} row cannot go to a {_table.Name} batch.", nameof(rows));
        var batch = Batch;
        var target = batch.RowCount;
        var nulls = rows.Nulls(row);
        if ((nulls & _refused) != 0) throw NullInRequired(BitOperations.TrailingZeroCount(nulls & _refused));
        foreach (var c in _strings) batch.Strings(c)[target] = IsNull(nulls, c) ? null : rows.String(row, c);
        foreach (var c in _int64s)
            if (Defined(nulls, c, target)) batch.Int64s(c)[target] = rows.Int64(row, c);
        foreach (var c in _int32s)
            if (Defined(nulls, c, target)) batch.Int32s(c)[target] = rows.Int32(row, c);
        foreach (var c in _doubles)
            if (Defined(nulls, c, target)) batch.Doubles(c)[target] = rows.Double(row, c);
        foreach (var c in _dates)
            if (Defined(nulls, c, target)) batch.Int32s(c)[target] = ParquetValues.ToDays(rows.Date(row, c));
        foreach (var c in _dateTimes)
            if (Defined(nulls, c, target)) batch.Int64s(c)[target] = ParquetValues.ToMicros(rows.DateTime(row, c));
        batch.RowCount = target + 1;
    }

    private static bool IsNull(ulong nulls, int column) => (nulls & (1UL << column)) != 0;

    /// <summary>Marks an OPTIONAL column's null (or its value); true when the row has a value to copy.</summary>
    private bool Defined(ulong nulls, int column, int target)
    {
        var isNull = IsNull(nulls, column);
        if ((_marked & (1UL << column)) != 0) Batch.Nulls(column)[target] = isNull;
        return !isNull;
    }

    private ParquetSchemaViolationException NullInRequired(int index)
    {
        var column = _table.Columns[index];
        return new ParquetSchemaViolationException(ParquetErrorCode.NullInRequiredColumn,
            $"Null in REQUIRED column '{column.Name}' of {_table.Name}.", column.Name);
    }
}
