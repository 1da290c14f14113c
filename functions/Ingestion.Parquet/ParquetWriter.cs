namespace Ingestion.Parquet;

// CONTRACT ONLY (issue #3 replaces the bodies): the public surface the pipeline codes against.

/// <summary>Logical column types supported for flat schemas.</summary>
public enum ParquetType { Boolean, Int32, Int64, Double, String, Date, Timestamp }

public enum ParquetCompression { Uncompressed, Snappy, Gzip }

/// <summary>One column: name, type, REQUIRED (true) or OPTIONAL (false).</summary>
public sealed record ParquetColumn(string Name, ParquetType Type, bool Required);

public sealed record ParquetSchema(IReadOnlyList<ParquetColumn> Columns);

public sealed record ParquetWriterOptions
{
    public ParquetCompression Compression { get; init; } = ParquetCompression.Snappy;
    public long RowGroupSizeBytes { get; init; } = 64L * 1024 * 1024;
    public int PageSizeBytes { get; init; } = 1024 * 1024;
    public bool DictionaryEnabled { get; init; } = true;
    public int DictionaryPageSizeLimit { get; init; } = 1024 * 1024;
    public IReadOnlyDictionary<string, string> KeyValueMetadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Streams a Parquet file to a forward-only stream. Rows are buffered per row group and flushed when the
/// row group reaches its size; <see cref="CompleteAsync"/> writes the footer. Disposing without completing
/// leaves no footer: the output must be discarded.
/// Row values, by column type: Boolean bool; Int32 int; Int64 long; Double double; String string;
/// Date DateOnly; Timestamp DateTime (UTC) or DateTimeOffset; null only in OPTIONAL columns.
/// </summary>
public sealed class ParquetWriter : IAsyncDisposable
{
    public ParquetWriter(Stream output, ParquetSchema schema, ParquetWriterOptions? options = null) =>
        throw new NotImplementedException("Parquet writer: issue #3");

    public long RowCount => throw new NotImplementedException();

    public ValueTask WriteRowAsync(object?[] row, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task CompleteAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
