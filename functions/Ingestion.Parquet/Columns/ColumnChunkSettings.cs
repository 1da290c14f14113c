namespace Ingestion.Parquet.Columns;

/// <summary>The per-column-chunk knobs taken from <see cref="ParquetWriterOptions"/>.</summary>
internal sealed record ColumnChunkSettings(bool DictionaryEnabled, int DictionaryPageSizeLimit, int PageSizeBytes)
{
    /// <summary>Upper bound on rows per data page, so tiny values (1-bit indices) still give pages readers can skip.</summary>
    public const int MaxRowsPerPage = 1 << 20;
}
