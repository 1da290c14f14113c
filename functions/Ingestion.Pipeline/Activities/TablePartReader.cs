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
internal static class TablePartReader
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

    private static async Task<Array> ReadColumnAsync(ParquetRowGroupReader group, DataField field, OmopColumnType type, int count, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case OmopColumnType.BigInt: { var v = new long?[count]; await group.ReadAsync<long>(field, v, null, cancellationToken).ConfigureAwait(false); return v; }
            case OmopColumnType.Integer: { var v = new int?[count]; await group.ReadAsync<int>(field, v, null, cancellationToken).ConfigureAwait(false); return v; }
            case OmopColumnType.Float: { var v = new double?[count]; await group.ReadAsync<double>(field, v, null, cancellationToken).ConfigureAwait(false); return v; }
            case OmopColumnType.Varchar: { var v = new string[count]; await group.ReadAsync(field, v, null, cancellationToken).ConfigureAwait(false); return v; }
            case OmopColumnType.Date: { var v = new DateOnly?[count]; await group.ReadAsync<DateOnly>(field, v, null, cancellationToken).ConfigureAwait(false); return v; }
            case OmopColumnType.DateTime:
            {
                var v = new DateTime?[count];
                await group.ReadAsync<DateTime>(field, v, null, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < v.Length; i++) if (v[i] is { } t) v[i] = DateTime.SpecifyKind(t, DateTimeKind.Utc);
                return v;
            }
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown OMOP column type.");
        }
    }
}
