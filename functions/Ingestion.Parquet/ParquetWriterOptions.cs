namespace Ingestion.Parquet;

/// <summary>Options for <see cref="ParquetWriter"/>.</summary>
public sealed record ParquetWriterOptions
{
    /// <summary>Codec applied to every page.</summary>
    public ParquetCompression Compression { get; init; } = ParquetCompression.Snappy;

    /// <summary>A row group is flushed once the buffered column data reaches this many bytes.</summary>
    public long RowGroupSizeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Target uncompressed size of one data page.</summary>
    public int PageSizeBytes { get; init; } = 1024 * 1024;

    /// <summary>Try dictionary encoding per column chunk (BOOLEAN columns are always PLAIN).</summary>
    public bool DictionaryEnabled { get; init; } = true;

    /// <summary>A column chunk falls back to PLAIN once its PLAIN-encoded dictionary outgrows this many bytes.</summary>
    public int DictionaryPageSizeLimit { get; init; } = 1024 * 1024;

    /// <summary>File key/value metadata written in the footer (e.g. schema version, run id).</summary>
    public IReadOnlyDictionary<string, string> KeyValueMetadata { get; init; } = new Dictionary<string, string>();
}
