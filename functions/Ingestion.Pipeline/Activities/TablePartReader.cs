using Ingestion.Omop;
using Ingestion.Parquet;
using Ingestion.Storage;
using Parquet;
using DataField = Parquet.Schema.DataField;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Reads back one Parquet part this pipeline wrote (<see cref="TablePartWriter"/>) a row group at a time, each as a
/// <see cref="ParquetColumnBatch"/> of the table's schema (<see cref="OmopParquetSchemas"/>: the physical forms our
/// writer takes, dates as days and datetimes as UTC microseconds), for the fan-in's column-wise rewrite of parts that
/// hold a duplicate, a dangling reference or visits whose preceding visit it sets. Every column is read once into
/// typed arrays: no boxed value, no row object. Memory is one row group (the writer bounds it). A non-seekable lake
/// stream (a blob) is spooled to a temporary file first, because the footer is read before the pages.
/// </summary>
public static class TablePartReader
{
    private static readonly ParquetOptions Options = new() { UseDateOnlyTypeForDates = true };

    public static async IAsyncEnumerable<ParquetColumnBatch> ReadRowGroupsAsync(ILake lake, OmopTable table, string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(table);
        var schema = OmopParquetSchemas.For(table);
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
                var batch = new ParquetColumnBatch(schema, Math.Max(1, count)) { RowCount = count };
                for (var c = 0; c < fields.Length; c++)
                    await ReadColumnAsync(group, fields[c], table.Columns[c], batch, c, count, cancellationToken).ConfigureAwait(false);
                yield return batch;
            }
        }
        finally
        {
            if (spool is not null) await spool.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task ReadColumnAsync(ParquetRowGroupReader group, DataField field, OmopColumn column, ParquetColumnBatch batch, int c, int count,
        CancellationToken cancellationToken)
    {
        if (field.IsNullable == column.Required) throw new InvalidDataException($"A part's column '{field.Name}' is {(field.IsNullable ? "OPTIONAL" : "REQUIRED")}; the table's is not.");
        switch (column.Type)
        {
            case OmopColumnType.BigInt:
                Store(await ReadAsync<long>(group, field, count, cancellationToken).ConfigureAwait(false), batch.Int64s(c), batch, c, static v => v);
                break;
            case OmopColumnType.Integer:
                Store(await ReadAsync<int>(group, field, count, cancellationToken).ConfigureAwait(false), batch.Int32s(c), batch, c, static v => v);
                break;
            case OmopColumnType.Float:
                Store(await ReadAsync<double>(group, field, count, cancellationToken).ConfigureAwait(false), batch.Doubles(c), batch, c, static v => v);
                break;
            case OmopColumnType.Date:
                Store(await ReadAsync<DateOnly>(group, field, count, cancellationToken).ConfigureAwait(false), batch.Int32s(c), batch, c, ParquetValues.ToDays);
                break;
            case OmopColumnType.DateTime:
                // Timestamps are written as UTC instants (isAdjustedToUTC): the ticks read back are UTC.
                Store(await ReadAsync<DateTime>(group, field, count, cancellationToken).ConfigureAwait(false), batch.Int64s(c), batch, c,
                    static t => ParquetValues.ToMicros(DateTime.SpecifyKind(t, DateTimeKind.Utc)));
                break;
            case OmopColumnType.Varchar:
                var strings = new string?[count];
                await group.ReadAsync(field, strings.AsMemory()!, null, cancellationToken).ConfigureAwait(false);
                if (column.Required && Array.IndexOf(strings, null) >= 0) throw new InvalidDataException($"A part's REQUIRED column '{field.Name}' read back with nulls.");
                strings.AsSpan().CopyTo(batch.Strings(c));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(column), column.Type, "Unknown OMOP column type.");
        }
    }

    // A REQUIRED column is read with the non-nullable overload: Parquet.Net 6.1.0's nullable overload on a REQUIRED
    // column (no definition levels) returned spurious nulls after other columns had been read (65 of 3,697 Synthea
    // visit_type_concept_id values). OPTIONAL columns carry definition levels and read correctly.
    private static async Task<(T[]? Required, T?[]? Nullable)> ReadAsync<T>(ParquetRowGroupReader group, DataField field, int count, CancellationToken cancellationToken)
        where T : struct
    {
        if (!field.IsNullable)
        {
            var required = new T[count];
            await group.ReadAsync<T>(field, required, null, cancellationToken).ConfigureAwait(false);
            return (required, null);
        }
        var nullable = new T?[count];
        await group.ReadAsync<T>(field, nullable, null, cancellationToken).ConfigureAwait(false);
        return (null, nullable);
    }

    /// <summary>Values in the batch's physical form; an OPTIONAL column's nulls as null marks.</summary>
    private static void Store<T, TStored>((T[]? Required, T?[]? Nullable) read, Span<TStored> target, ParquetColumnBatch batch, int c, Func<T, TStored> store)
        where T : struct
    {
        if (read.Required is { } required)
        {
            for (var i = 0; i < required.Length; i++) target[i] = store(required[i]);
            return;
        }
        var nullable = read.Nullable!;
        var marks = batch.Nulls(c);
        for (var i = 0; i < nullable.Length; i++)
        {
            marks[i] = nullable[i] is null;
            if (nullable[i] is { } value) target[i] = store(value);
        }
    }
}
