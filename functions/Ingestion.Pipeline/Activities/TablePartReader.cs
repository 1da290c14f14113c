using Ingestion.Omop;
using Ingestion.Storage;
using Parquet;
using DataField = Parquet.Schema.DataField;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Reads back one Parquet part this pipeline wrote (<see cref="TablePartWriter"/>), row by row in the table's column
/// order and CLR types (long, int, double, string, DateOnly, UTC DateTime), for the fan-in's rewrite of parts that
/// hold a duplicate or a dangling reference. Memory is one row group (the writer bounds it). A non-seekable lake
/// stream (a blob) is spooled to a temporary file first, because the footer is read before the pages.
/// </summary>
public static class TablePartReader
{
    private static readonly ParquetOptions Options = new() { UseDateOnlyTypeForDates = true };

    public static async IAsyncEnumerable<object?[]> ReadAsync(ILake lake, OmopTable table, string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var source = await lake.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        Stream seekable = source;
        FileStream? spool = null;
        try
        {
            if (!source.CanSeek)
            {
                spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                await source.CopyToAsync(spool, cancellationToken).ConfigureAwait(false);
                spool.Position = 0;
                seekable = spool;
            }
            await using var reader = await ParquetReader.CreateAsync(seekable, Options, leaveStreamOpen: true, cancellationToken).ConfigureAwait(false);
            var fields = reader.Schema.DataFields;
            if (fields.Length != table.Columns.Count) throw new InvalidDataException($"A {table.Name} part has {fields.Length} columns, expected {table.Columns.Count}.");
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var count = checked((int)group.RowCount);
                var columns = new Array[fields.Length];
                for (var c = 0; c < fields.Length; c++) columns[c] = await ReadColumnAsync(group, fields[c], table.Columns[c].Type, count, cancellationToken).ConfigureAwait(false);
                for (var r = 0; r < count; r++)
                {
                    var row = new object?[fields.Length];
                    for (var c = 0; c < fields.Length; c++) row[c] = columns[c].GetValue(r);
                    yield return row;
                }
            }
        }
        finally
        {
            if (spool is not null) await spool.DisposeAsync().ConfigureAwait(false);
        }
    }

    // A REQUIRED column is read with the non-nullable overload: Parquet.Net 6.1.0's nullable overload on a REQUIRED
    // column (no definition levels) returned spurious nulls after other columns had been read (65 of 3,697 Synthea
    // visit_type_concept_id values). OPTIONAL columns carry definition levels and read correctly.
    private static async Task<Array> ReadColumnAsync(ParquetRowGroupReader group, DataField field, OmopColumnType type, int count, CancellationToken cancellationToken) =>
        type switch
        {
            OmopColumnType.BigInt => await ReadAsync<long>(group, field, count, cancellationToken).ConfigureAwait(false),
            OmopColumnType.Integer => await ReadAsync<int>(group, field, count, cancellationToken).ConfigureAwait(false),
            OmopColumnType.Float => await ReadAsync<double>(group, field, count, cancellationToken).ConfigureAwait(false),
            OmopColumnType.Date => await ReadAsync<DateOnly>(group, field, count, cancellationToken).ConfigureAwait(false),
            OmopColumnType.DateTime => Utc(await ReadAsync<DateTime>(group, field, count, cancellationToken).ConfigureAwait(false)),
            OmopColumnType.Varchar => await ReadStringsAsync(group, field, count, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown OMOP column type."),
        };

    private static async Task<T?[]> ReadAsync<T>(ParquetRowGroupReader group, DataField field, int count, CancellationToken cancellationToken) where T : struct
    {
        var values = new T?[count];
        if (field.IsNullable)
        {
            await group.ReadAsync<T>(field, values, null, cancellationToken).ConfigureAwait(false);
            return values;
        }
        var required = new T[count];
        await group.ReadAsync<T>(field, required, null, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < count; i++) values[i] = required[i];
        return values;
    }

    private static async Task<string?[]> ReadStringsAsync(ParquetRowGroupReader group, DataField field, int count, CancellationToken cancellationToken)
    {
        var values = new string?[count];
        await group.ReadAsync(field, values!, null, cancellationToken).ConfigureAwait(false);
        if (!field.IsNullable && Array.IndexOf(values, null) >= 0) throw new InvalidDataException($"A part's REQUIRED column '{field.Name}' read back with nulls.");
        return values;
    }

    /// <summary>Timestamps are written as UTC instants (isAdjustedToUTC); the row keeps them as UTC DateTimes.</summary>
    private static DateTime?[] Utc(DateTime?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } t) values[i] = DateTime.SpecifyKind(t, DateTimeKind.Utc);
        }
        return values;
    }
}
